"""The rebuilt notes checker, one small module per stage (see DESIGN.md, "The notes checker").

``source`` reads a note (Markdown or LaTeX) into headings, prose and math pieces with their
file lines; later stages parse the math and judge the steps.
"""

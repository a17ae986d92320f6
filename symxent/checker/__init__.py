"""The notes checker, one small module per stage (see DESIGN.md, "The notes checker").

``source`` reads a note (Markdown or LaTeX) into headings, prose and math pieces with their
file lines; ``tree`` parses the math into a token tree with a Lark grammar (``latex.lark``);
``chains`` reads the chains of relations, their conditions and clauses from it, and ``syntax``
each member's expression tree; ``scope`` finds the note's
definitions, declarations and stated facts per section; ``meaning`` turns expressions into
SymPy at concrete indices; ``verdict`` judges one step.  ``symxent.check`` runs them over a note.
"""

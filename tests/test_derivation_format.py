"""The derivation file format: a wrong field is reported when the file is loaded, naming the file,
the derivation and the field (never a traceback from a later stage or a worker process); a
module that cannot be rendered is reported in one line while every other module is written;
the README documents every field of every dataclass of the format, and every domain.
"""

from __future__ import annotations

import dataclasses
import io
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from symxent import registry as reg
from symxent.cli import main

from conftest import ROOT

HEADER = textwrap.dedent('''
    import sympy as sp
    from symxent.derive import class_sum, partial
    from symxent.registry import Chain, Claim, Definition, Derivation, Kernel, Module, Output, Step, Variable
    from symxent.symbols import CLASS_INDICES, K, L, c, i, j, k, p, z

    SOFTMAX = Definition(p[i], sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K), "softmax")
    LOSS = Definition(L, -sp.log(p[c]), "loss")
    GRAD = Claim("gradient", "dL/dz_j = p_j - delta_jc", partial(L, z[j]), p[j] - sp.KroneckerDelta(j, c))
    KERNEL = Kernel("g", (("z", z), ("c", c)), (Output("grad", "gradient", (j,)),))


    def make(**fields):
        base = dict(name="bad", title="t", summary="s", dimensions={K: None}, indices=CLASS_INDICES,
                    variables=(Variable(z, "real", "logits", indices=(k,)),), definitions=(SOFTMAX, LOSS),
                    claims=(GRAD,))
        base.update(fields)
        return Derivation(**base)
''')

# (what is wrong, the DERIVATIONS expression, the words the one-line report must hold)
WRONG_FIELDS = [
    ("chain label a string", 'make(chains=(Chain("t", "dL/dz", (Step(p[j], "x"),)),))',
     "derivation bad, chain 't': the label (second field of Chain(title, label, steps)) is a str"),
    ("step reason not a string", 'make(chains=(Chain("t", partial(L, z[j]), (Step(p[j], 3),)),))',
     "derivation bad, chain 't': step 1: the reason (second field of Step(expr, reason)) is a int"),
    ("steps not Step", 'make(chains=(Chain("t", partial(L, z[j]), (p[j], "x")),))',
     "derivation bad, chain 't': step 1 is a Indexed"),
    ("unknown domain", 'make(variables=(Variable(z, "reals", "logits", indices=(k,)),))',
     "variable z: unknown domain 'reals'; valid: real, simplex"),
    ("unknown template", 'make(modules=(Module("m", "nope.py.j2", "s", (KERNEL,)),))',
     "derivation bad, module 'm': template 'nope.py.j2' does not exist; templates:"),
    ("output of an unknown claim",
     'make(modules=(Module("m", "focal_loss.py.j2", "s", (Kernel("g", (("z", z), ("c", c)), '
     '(Output("grad", "gradientt", (j,)),)),)),))',
     "derivation bad, module 'm', kernel 'g', output 'grad': claim 'gradientt' does not exist"),
    ("kernels not a tuple", 'make(modules=(Module("m", "focal_loss.py.j2", "s", KERNEL),))',
     "derivation bad, module 'm': kernels: must be a tuple of Kernel"),
    ("output a string",
     'make(modules=(Module("m", "focal_loss.py.j2", "s", (Kernel("g", (("z", z), ("c", c)), ("gradient",)),)),))',
     "derivation bad, module 'm', kernel 'g': outputs: item 1 is a str"),
    ("kernel argument a string",
     'make(modules=(Module("m", "focal_loss.py.j2", "s", (Kernel("g", (("z", "z"), ("c", c)), '
     '(Output("grad", "gradient", (j,)),)),)),))',
     "derivation bad, module 'm', kernel 'g': argument 'z' binds a str"),
    ("output index a string",
     'make(modules=(Module("m", "focal_loss.py.j2", "s", (Kernel("g", (("z", z), ("c", c)), '
     '(Output("grad", "gradient", ("j",)),)),)),))',
     "derivation bad, module 'm', kernel 'g', output 'grad': indices must be a tuple of declared indices"),
    ("options a list", 'make(modules=(Module("m", "focal_loss.py.j2", "s", (KERNEL,), options=[1]),))',
     "derivation bad, module 'm': options must be a dict"),
    ("dimension a string", 'make(dimensions={"K": None})', "derivation bad, dimensions: key 'K' is a str"),
    ("title not a string", "make(title=3)", "derivation bad, title: must be a string"),
    ("variables not Variable", 'make(variables=(z,))', "derivation bad, variables: item 1 is a IndexedBase"),
]


@pytest.mark.parametrize(("what", "expression", "words"), WRONG_FIELDS, ids=[w[0] for w in WRONG_FIELDS])
def test_a_wrong_field_is_reported_at_load_with_file_derivation_and_field(tmp_path: Path, what: str,
                                                                          expression: str, words: str) -> None:
    path = tmp_path / "mine.py"
    path.write_text(HEADER + f"\nDERIVATIONS = [{expression}]\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["list", "--derivations", str(tmp_path)], out=out, err=err)
    lines = err.getvalue().strip().splitlines()
    assert code == 2, f"{what}: exit code {code}"
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], f"{what}: {lines}"
    assert "Traceback" not in err.getvalue()
    assert "softmax_cross_entropy" in out.getvalue(), f"{what}: the built-in derivations must still load"


def test_a_right_file_loads(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(HEADER + "\nDERIVATIONS = [make(modules=(Module('m', 'focal_loss.py.j2', "
                                               "'s', (KERNEL,)),))]\n")
    loaded = reg.load_registry([tmp_path])
    assert not loaded.errors, loaded.errors
    assert "bad" in loaded


def test_a_module_that_cannot_be_rendered_is_one_line_and_the_others_are_written(tmp_path: Path) -> None:
    """A module of the user's derivation with a template written for another loss."""
    derivations = tmp_path / "derivations"
    derivations.mkdir()
    (derivations / "mine.py").write_text(HEADER + "\nDERIVATIONS = [make(modules=(Module('mine', 'focal_loss.py.j2', "
                                                  "'s', (KERNEL,)),))]\n")
    out_dir = tmp_path / "out"
    out, err = io.StringIO(), io.StringIO()
    code = main(["generate", "--derivations", str(derivations), "--out", str(out_dir)], out=out, err=err)
    lines = err.getvalue().strip().splitlines()
    assert code == 2, err.getvalue()
    assert len(lines) == 1 and str(derivations / "mine.py") in lines[0] and "module mine" in lines[0] and \
        "focal_loss.py.j2" in lines[0], lines
    written = sorted(p.name for p in out_dir.glob("*.py"))
    builtin = sorted(f"{m.name}.py" for d in reg.load_registry().values() for m in d.modules)
    assert written == builtin, f"every built-in module is still written: {written}"
    out, err = io.StringIO(), io.StringIO()
    code = main(["generate", "--check", "--derivations", str(derivations), "--out", str(out_dir)], out=out, err=err)
    assert code == 2 and "matching" not in out.getvalue() and "extra" not in out.getvalue(), out.getvalue()
    assert f"{len(builtin)} modules match" in out.getvalue(), out.getvalue()


FORMAT_CLASSES = [reg.Derivation, reg.Variable, reg.Definition, reg.Claim, reg.Assumption, reg.Chain, reg.Step,
                  reg.Module, reg.Kernel, reg.Output]


@pytest.mark.parametrize("cls", FORMAT_CLASSES, ids=lambda c: c.__name__)
def test_readme_documents_every_field(cls: type) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The derivation file format"):]
    section = section[:section.index("\n## ", 4)]
    head = f"**`{cls.__name__}("
    assert head in section, f"README: no entry starting {head}"
    entry = section[section.index(head):]
    end = entry.find("\n**`", 1)
    entry = entry if end < 0 else entry[:end]
    for f in dataclasses.fields(cls):
        assert f"`{f.name}`" in entry, f"README: {cls.__name__}.{f.name} is not documented in its entry:\n{entry}"


def test_readme_documents_every_domain_and_template() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The derivation file format"):]
    for domain in reg.DOMAINS:
        assert f"`{domain}`" in section, f"README: domain {domain} is not documented"
    for template in reg.templates():
        assert f"`{template}`" in section, f"README: template {template} is not documented"


def test_readme_worked_example_loads(tmp_path: Path) -> None:
    """The README's Poly-1 file is a file that loads (the docs cannot drift from the format)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Adding a derivation"):]
    code = section[section.index("```python\n") + len("```python\n"):section.index("\n```\n")]
    (tmp_path / "poly1_readme.py").write_text(code + "\n")
    loaded = reg.load_directory(tmp_path)
    assert not loaded.errors, loaded.errors
    assert [m.name for m in loaded["poly1"].modules] == ["poly1"]


USER_TEMPLATE = '''{% set class_axis = True %}
{% set reductions = False %}
{% include "_header.py.j2" %}


{% for name, kernel in kernels.items() %}
{{ kernel.source }}

{% endfor %}

def per_sample_loss(logits, target):
    """{{ statements.loss_closed }}, per sample; logits (N, K), target (N,) class indices."""
    return _loss(_as_array(logits, "logits"), np.asarray(target))
'''


def test_a_users_own_template(tmp_path: Path) -> None:
    templates, derivations, out_dir = tmp_path / "templates", tmp_path / "derivations", tmp_path / "out"
    templates.mkdir()
    derivations.mkdir()
    (templates / "my_loss.py.j2").write_text(USER_TEMPLATE)
    (derivations / "mine.py").write_text(HEADER + textwrap.dedent('''
        CLOSED = Claim("loss_closed", "L = -log p_c", L, -sp.log(p[c]))
        DERIVATIONS = [make(name="mine", definitions=(SOFTMAX, LOSS), claims=(GRAD, CLOSED),
                            modules=(Module("mine", "my_loss.py.j2", "my loss",
                                            (Kernel("loss", (("z", z), ("c", c)), (Output("loss", "loss_closed"),)),)),))]
    '''))
    err = io.StringIO()
    assert main(["list", "--derivations", str(derivations)], out=io.StringIO(), err=err) == 2
    assert "template 'my_loss.py.j2' does not exist" in err.getvalue() and "--templates DIR" in err.getvalue()
    err = io.StringIO()
    code = main(["generate", "--derivations", str(derivations), "--templates", str(templates), "--out", str(out_dir)],
                out=io.StringIO(), err=err)
    assert code == 0, err.getvalue()
    assert reg.TEMPLATES_VARIABLE not in os.environ, "--templates must not outlive the command"
    from symxent.verify import load_module_file

    module = load_module_file(out_dir / "mine.py")
    z = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, 1.0]])
    c = np.array([2, 0])
    want = -np.log(np.exp(z[[0, 1], c]) / np.exp(z).sum(axis=1))
    np.testing.assert_allclose(module.per_sample_loss(z, c), want, rtol=1e-14)
    code = main(["generate", "--check", "--derivations", str(derivations), "--templates", str(templates), "--out",
                 str(out_dir)], out=io.StringIO(), err=io.StringIO())
    assert code == 0

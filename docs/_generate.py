"""Regenerate the generated part of docs/config.md from the parameter table.

.venv/bin/python docs/_generate.py
"""

from pathlib import Path

from mtopics._config import markdown_reference

BEGIN = "<!-- BEGIN GENERATED: python docs/_generate.py -->"
END = "<!-- END GENERATED -->"

path = Path(__file__).with_name("config.md")
text = path.read_text(encoding="utf-8")
head, _, rest = text.partition(BEGIN)
_, _, tail = rest.partition(END)
path.write_text(f"{head}{BEGIN}\n\n{markdown_reference()}\n{END}{tail}", encoding="utf-8")
print(f"wrote {path}")

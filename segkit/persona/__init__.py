"""Persona cards: who each segment of record is, built from the other notebooks' exports, not invented.

- :mod:`~segkit.persona.exports`: :func:`read_exports` reads the exports the cards use (:data:`INPUTS`
  says which notebook writes each) and turns a missing one into a note;
- :mod:`~segkit.persona.cards`: :func:`persona_table`, one row per segment with every figure of its card;
- :mod:`~segkit.persona.text`: the one-line description, the card's labelled rows, the notes
  (``from segkit.persona import text``);
- :mod:`~segkit.persona.plots`: the card as a figure (``from segkit.persona import plots``).
"""

from segkit.persona.cards import CARD_COLUMNS, persona_table
from segkit.persona.exports import INPUTS, PersonaInputs, read_exports

__all__ = ["CARD_COLUMNS", "INPUTS", "PersonaInputs", "persona_table", "read_exports"]

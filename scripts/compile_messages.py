"""Compile every .po catalogue under mutualaid/ into its .mo, without needing GNU gettext on the machine."""
from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "mutualaid"
for po_path in root.rglob("locale/*/LC_MESSAGES/*.po"):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))

"""Files and folders under content/ that nothing reads, each reported as a warning.

A misspelled folder (`content/decision/`), a record saved as `.docx` or a file beside a
record that no record names is otherwise skipped without a word, and a record vanishes
from the site while the build exits 0. Hidden files (`.gitkeep`, `.DS_Store`) are left alone.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from disclosure.core.problems import Problem, warning
from disclosure.core.sources import walk_files
from disclosure.kinds import KINDS
from disclosure.rules.guide import GUIDE_FILE
from disclosure.rules.personal_allow_list import ALLOW_FILE

# the files of the content folder's top level the build reads (site.yaml … guide.md)
KNOWN_FILES = frozenset(
    {"site.yaml", "agencies.yaml", "categories.yaml", "synonyms.yaml", "holidays.yaml", "statutory.yaml", GUIDE_FILE, ALLOW_FILE}
)
# folder → the ending of the files read there (None: records and the files they name)
KNOWN_FOLDERS: dict[str, str | None] = {
    **{kind.folder: None for kind in KINDS},
    **{kind.data_folder: ".yaml" for kind in KINDS if kind.data_folder},
    "pages": ".md",
    "reports": ".yaml",
}


def stray_problems(root: Path, read: set[Path]) -> list[Problem]:
    """Return a warning for each top-level file or folder no stage reads, and for each file
    inside a known folder that is neither read (`read`: records and the files they name) nor of
    the kind the folder holds."""
    problems: list[Problem] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue  # hidden; a link is reported by sources.outside_links
        if entry.is_file() and entry.name not in KNOWN_FILES:
            problems.append(warning(entry, 1, "file", f"本站不读取这个文件，它不会发布{_nearest(entry.name, KNOWN_FILES)}"))
        elif entry.is_dir() and entry.name not in KNOWN_FOLDERS:
            problems.append(warning(entry, 1, "file", f"不认识的文件夹“{entry.name}/”：其中的文件都不会发布"
                                    f"{_nearest(entry.name, KNOWN_FOLDERS, '/') or '；'}可用的文件夹：{'、'.join(f'{n}/' for n in KNOWN_FOLDERS)}"))
        elif entry.is_dir():
            ending = KNOWN_FOLDERS[entry.name]
            for path in walk_files(entry, recursive=ending is None):
                if path in read or (ending is not None and path.suffix == ending):
                    continue
                what = "没有记录引用这个文件（附件要写进记录的 attachments，CSV 要写进 items_csv 或 cases_csv）" if ending is None \
                    else f"{entry.name}/ 中只读取 {ending} 文件"
                problems.append(warning(path, 1, "file", f"{what}，它不会发布"))
    return problems


def _nearest(name: str, known: frozenset[str] | dict[str, str | None], suffix: str = "") -> str:
    """Return "；是不是“x”？" for the known name closest to `name`, or nothing."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"；是不是“{found[0]}{suffix}”？" if found else ""

"""Import a script of tools/ in a test (the folder is not a package, and its
file names start with test_, so pytest must not collect them)."""
import importlib.util
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def load_tool(name: str):
    """The module of ``tools/<name>.py``, imported fresh (with tools/ on the
    path, as when the script runs: they share tools/_env.py)."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location(f"tool_{name}", TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

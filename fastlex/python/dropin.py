"""fastlex.python as a drop-in for the standard library's ``tokenize``, process-wide.

``install()`` puts ``fastlex.python.generate_tokens`` and ``fastlex.python.tokenize`` in
place of ``tokenize.generate_tokens`` and ``tokenize.tokenize``: every tool that calls them
through the module (pycodestyle, flake8, pylint, coverage.py, autopep8...) then gets
fastlex's tokens, which are equal to the standard library's. Modules imported earlier that
bound the functions to names of their own (``from tokenize import generate_tokens``) are
patched too: every module in ``sys.modules`` whose global is the standard function gets
fastlex's (but fastlex's own modules, whose fallback for invalid input replays the lines
through the standard functions). ``uninstall()`` puts every one of them back. Both are idempotent and thread-safe.

``python -m fastlex run TOOL [ARGS...]`` installs it, then runs the console script TOOL (or,
failing that, the module TOOL as ``python -m TOOL``) with ARGS.
"""
import sys
import threading
import tokenize as _std

__all__ = ["install", "uninstall", "installed", "run"]

_lock = threading.Lock()
_ORIGINAL = {"generate_tokens": _std.generate_tokens, "tokenize": _std.tokenize}
_patched = []            # (namespace dict, name, original) for every binding replaced


def _replacements():
    import fastlex.python as fp
    return {"generate_tokens": fp.generate_tokens, "tokenize": fp.tokenize}


def installed():
    """True while install() is in effect."""
    return bool(_patched)


def install():
    """Make the standard library's tokenize.generate_tokens and tokenize.tokenize fastlex's,
    here and in every loaded module that bound them to its own names."""
    with _lock:
        if _patched:
            return
        new = _replacements()
        by_id = {id(f): name for name, f in _ORIGINAL.items()}
        for modname, module in list(sys.modules.items()):
            namespace = getattr(module, "__dict__", None)
            # fastlex's own modules keep the originals (its fallback replays through them).
            if not isinstance(namespace, dict) or modname == "fastlex" or modname.startswith("fastlex."):
                continue
            for key, value in list(namespace.items()):
                name = by_id.get(id(value))
                if name is not None and value is _ORIGINAL[name]:
                    namespace[key] = new[name]
                    _patched.append((namespace, key, value))


def uninstall():
    """Undo install(): every binding it replaced gets the standard library's function back."""
    with _lock:
        while _patched:
            namespace, key, original = _patched.pop()
            if namespace.get(key) is not original:
                namespace[key] = original


def _console_script(name):
    """The console_scripts entry point called name, or None."""
    from importlib.metadata import entry_points
    eps = entry_points()
    group = eps.select(group="console_scripts") if hasattr(eps, "select") else eps.get("console_scripts", [])
    for ep in group:
        if ep.name == name:
            return ep
    return None


def run(argv):
    """Run argv[0] (a console script, else a module) with argv[1:] and fastlex's tokenize
    installed; its exit status."""
    import importlib.util
    import runpy

    if not argv:
        print("usage: python -m fastlex run TOOL [ARGS...]", file=sys.stderr)
        return 2
    tool, args = argv[0], list(argv[1:])
    install()
    ep = _console_script(tool)
    old_argv = sys.argv
    sys.argv = [tool] + args
    try:
        if ep is not None:
            result = ep.load()()
        else:
            try:
                found = importlib.util.find_spec(tool) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                print(f"fastlex run: no console script or module named {tool!r}", file=sys.stderr)
                return 2
            runpy.run_module(tool, run_name="__main__", alter_sys=True)
            result = 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv = old_argv
    return result if isinstance(result, int) else 0

"""Shell code in source_code: when a source is not Python, decide whether it is plainly shell, and run it with bash.

The reference's clients (BeeAI's PythonTool: language "python" | "shell", sent as source_code with no language
field) expect `echo hello && ls /workspace | wc -l` to work. The agent always tries Python first: compile() is
what it did before, so Python pays nothing. Only when Python cannot run the source does it ask this module:

- after a SyntaxError from compile(): is the source plainly shell? Then bash runs it; else the SyntaxError
  stands (a source that is neither gets Python's error, never a shell complaint);
- after a NameError from a program that cannot have done anything yet (every statement is a bare expression of
  names, attributes, constants and operators, e.g. `ls -la /workspace`, `pwd`, `date`): the same question.

"Plainly shell" (looks_like_shell): `bash -n` parses it (nothing is run), no top-level line is a Python
statement (`import x`, `from x import y`, `def f(`, `class C:`, `print(`, `name = value` with a space before
the `=`, which in shell would run `name` as a command: `df = data[0]`, ...; lines inside here-documents are
not looked at, so `python3 - <<'EOF' ... EOF` stays shell), and the first command word is a shell keyword or
builtin, or an executable on the code's PATH, and not a Python keyword. ImageMagick installs /usr/bin/import,
which is why a Python `import` line must never count as a command.

The run itself (exec_shell) replaces the child's interpreter by bash in the same process: same pid, process
group, session, uid, limits, seccomp filter, environment (the request's env included), working folder
/workspace, stdin /dev/null and output pipes; the agent's timeout, output capture and exit code handling apply
unchanged. Python standard library only; imported by agent.py at start (it is small and imports nothing heavy).
"""

import ast
import keyword
import os
import re
import shutil
import signal
import subprocess
import sys

BASH = "/bin/bash"
# What Linux takes as one argv string (MAX_ARG_STRLEN is 32 pages); a longer source goes through a memfd.
MAX_ARGUMENT_BYTES = 128 * 1024 - 1
SCRIPT_NAME = "<code>"

_SHELL_WORDS = frozenset("""
if then else elif fi case esac for select while until do done in function time coproc { } ! [[ ]] (( (
: . source alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown
echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile
popd printf pushd pwd read readarray readonly return set shift shopt suspend test times trap true type typeset
ulimit umask unalias unset wait [
""".split())

# Words that start Python statements (and Python 2's print): never taken as a command, even where a program of
# that name exists (/usr/bin/import is ImageMagick's screen grabber).
_PYTHON_WORDS = frozenset(keyword.kwlist) | frozenset(getattr(keyword, "softkwlist", ())) | {"print", "exec"}

_PYTHON_LINE = re.compile(
    r"""^(?:
        import\s+[A-Za-z_][\w.]*(?:\s+as\s+\w+)?(?:\s*,\s*[A-Za-z_][\w.]*(?:\s+as\s+\w+)?)*\s*(?:\#.*)?$
      | from\s+\.*[A-Za-z_][\w.]*\s+import\b
      | (?:async\s+)?def\s+\w+\s*\(
      | class\s+\w+\s*[(:]
      | print\s*\(
      | (?:elif|except|finally|try|with|lambda|raise|assert|yield|nonlocal|global|del|pass)\b.*
      | @[A-Za-z_][\w.]*\s*(?:\(.*)?$
      | [A-Za-z_][\w.]*(?:\[[^\]]*\])?\s+(?://|\*\*|>>|<<|[-+*/%&|^@])?=(?:\s|$).*
    )""",
    re.VERBOSE,
)
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][\w.-]*)\1")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=\S*$")
_FIRST_WORD = re.compile(r"[^\s;&|<>()]+|\(\(|[()]")


def _top_level_lines(source):
    """The source's lines outside here-document bodies (a small scanner: enough to skip the `<<'EOF'` bodies a
    shell script feeds to python3 or cat)."""
    pending = []
    for line in source.splitlines():
        if pending:
            text = line.lstrip("\t") if pending[0][1] else line
            if text == pending[0][0]:
                pending.pop(0)
            continue
        yield line
        if "<<" in line:
            for match in _HEREDOC.finditer(line):
                dash = line[match.start():match.start() + 3] == "<<-"
                pending.append((match.group(2), dash))


def _is_command(word, path):
    if word in _SHELL_WORDS:  # if/for/while are both; Python's own forms of them do not pass `bash -n`
        return True
    if word in _PYTHON_WORDS:
        return False
    if "/" in word:
        return os.path.isfile(word) and os.access(word, os.X_OK)
    return shutil.which(word, path=path) is not None


def _first_command_word(lines):
    """The first word that bash would run as a command (leading NAME=value assignments skipped), or None."""
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        words = _FIRST_WORD.findall(text)
        while words and _ASSIGNMENT.match(words[0]):
            words.pop(0)
        if words:
            return words[0]
    return None


def looks_like_shell(source, env=None):
    """True when the source is plainly shell code (see the module docstring). Runs `bash -n` (parse only)."""
    lines = list(_top_level_lines(source))
    if any(_PYTHON_LINE.match(line.strip()) for line in lines):
        return False
    word = _first_command_word(lines)
    path = (env if env is not None else os.environ).get("PATH", os.defpath)
    if word is None or not _is_command(word, path):
        return False
    try:
        parsed = subprocess.run([BASH, "-n"], input=source.encode("utf-8", "surrogateescape"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10,
                                start_new_session=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return parsed.returncode == 0


def inert_python(source):
    """True when no statement of the (compiling) source can have done anything before a NameError: each is a
    bare expression of names, attributes, constants and arithmetic/comparison operators (`ls -la /workspace`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    allowed = (ast.Expr, ast.Name, ast.Load, ast.Attribute, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare,
               ast.operator, ast.unaryop, ast.cmpop)
    return bool(tree.body) and all(isinstance(node, allowed) for stmt in tree.body for node in ast.walk(stmt))


def exec_shell(source):
    """Replaces this process by bash running source. Never returns (exits 127 if bash cannot be started)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # Python ignores these at start-up and an ignored signal stays ignored across exec: a shell pipeline such as
    # `yes | head -1` needs SIGPIPE's default action.
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    data = source.encode("utf-8", "surrogateescape")
    try:
        if len(data) <= MAX_ARGUMENT_BYTES and b"\x00" not in data:
            os.execve(BASH, ["bash", "-c", source, SCRIPT_NAME], os.environ)
        fd = os.memfd_create("code", 0)  # inherited by bash (no MFD_CLOEXEC)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
        os.execve(BASH, ["bash", f"/dev/fd/{fd}"], os.environ)
    except OSError as e:
        try:
            sys.stderr.write(f"could not start the shell ({BASH}): {e.strerror}\n")
            sys.stderr.flush()
        except Exception:
            pass
    os._exit(127)

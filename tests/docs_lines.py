"""The ``flowkit …`` command lines of README.md and docs/, read mechanically (used by test_docs.py).

A *command line* is one logical shell statement of a fenced code block (``\\``
continuations and lines ending in ``|``/``&&``/``||`` joined) in which
``flowkit`` is the command word of at least one simple command: at the start,
after ``|``, ``&&``, ``||``, ``;``, ``(`` or ``$(``, after ``VAR=value``
assignments, a ``$ `` prompt, a cron schedule (``17 * * * * user``) or a
YAML ``- run:`` step. ``flowkit`` inside a path (``flowkit/cli.py``), a
message (``flowkit: error: …``) or a quoted string is not a command.

``check_options`` resolves each invocation against the real click tree:
global options, the command, its subcommands, and every ``-x``/``--option``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

ROOT = Path(__file__).parent.parent

# Code blocks that hold shell: sh and friends, YAML CI steps, and untagged blocks
# (synopses, `$ ` transcripts). JSON, TOML, XML... never hold a command line.
SHELL_LANGS = {"", "sh", "bash", "shell", "console", "yaml", "yml"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
CRON = re.compile(r"^\s*(@\w+|(\S+\s+){5}\w[\w.-]*)\s+(?=flowkit\s)")  # schedule + user
YAML_STEP = re.compile(r"^\s*(-\s+)?(run:\s+)?")
CONTINUES = ("\\", "|", "&&", "||")
SEPARATORS = {"|", "||", "&&", ";", "&", "(", ")", "$(", "|&", ";;"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def doc_files() -> list[Path]:
    """README.md and every page under docs/ but the generated reference (docs/commands.md)."""
    generated = ROOT / "docs" / "commands.md"
    return [ROOT / "README.md", *(p for p in sorted((ROOT / "docs").rglob("*.md")) if p != generated)]


@dataclass(frozen=True)
class Block:
    """One fenced code block: its file (relative, posix), first content line, language and lines."""

    path: str
    lineno: int
    lang: str
    lines: tuple[str, ...]

    @property
    def is_shell(self) -> bool:
        return self.lang in ("sh", "bash", "shell")

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(frozen=True)
class DocLine:
    """One documented command line and the argv (after ``flowkit``) of each flowkit it runs."""

    path: str
    lineno: int
    text: str  # as written, continuation lines included
    block: Block = field(compare=False, repr=False)
    invocations: tuple[tuple[str, ...], ...] = field(compare=False)

    @property
    def command(self) -> str:
        """The line on one line, without comments, a ``$ `` prompt or a YAML ``- run:`` (the tables' key)."""
        parts = (_clean(part, self.block.lang, cron=False) for part in self.text.replace("\\\n", " ").split("\n"))
        return " ".join(" ".join(parts).split())

    @property
    def shell(self) -> str:
        """The line to run: as written, without a ``$ `` prompt or a YAML ``- run:``."""
        if self.block.lang in ("yaml", "yml"):
            return "\n".join(YAML_STEP.sub("", part, count=1) for part in self.text.split("\n"))
        return re.sub(r"^\s*\$\s+", "", self.text)

    @property
    def transcript(self) -> list[str] | None:
        """The output shown under a ``$ `` prompt line (up to the next prompt), if it is one."""
        if not re.match(r"^\s*\$\s+", self.text):
            return None
        start = self.lineno - self.block.lineno + 1
        shown = []
        for line in self.block.lines[start:]:
            if re.match(r"^\s*\$\s+", line):
                break
            shown.append(line)
        return [line for line in shown if line.strip()]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.lineno}"


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def blocks(path: Path) -> Iterator[Block]:
    rel = relative(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent, start = m["fence"], len(m["indent"]), i + 1
        j = start
        while j < len(lines) and not lines[j].strip().startswith(fence[0] * len(fence)):
            j += 1
        body = tuple(line[indent:] if not line[:indent].strip() else line.lstrip() for line in lines[start:j])
        yield Block(rel, start + 1, m["lang"].lower(), body)
        i = j + 1


def shown_outputs(path: Path) -> dict[Block, list[str]]:
    """Shell blocks followed at once by an untagged block of output (no command in it): its lines."""
    found = {}
    text = path.read_text(encoding="utf-8").splitlines()
    listed = list(blocks(path))
    for block, following in zip(listed, listed[1:], strict=False):
        between = text[block.lineno + len(block.lines) : following.lineno - 2]
        if (
            block.is_shell
            and following.lang == ""
            and not any(line.strip() for line in between)
            and not any(invocations(line, "") for line in following.lines)
        ):
            found[block] = [line for line in following.lines if line.strip()]
    return found


def logical_lines(block: Block) -> Iterator[tuple[int, str]]:
    """(line number, text) of each statement, continuation lines joined with a newline."""
    pending: list[str] = []
    first = 0
    for offset, line in enumerate(block.lines):
        if not pending:
            first = block.lineno + offset
        pending.append(line)
        following = block.lines[offset + 1] if offset + 1 < len(block.lines) else ""
        wrapped = block.lang == "" and following[:1].isspace() and following.lstrip().startswith("[")
        if wrapped or _strip_comment(line).rstrip().endswith(CONTINUES):  # a synopsis wraps without \\
            continue
        yield first, "\n".join(pending)
        pending = []
    if pending:
        yield first, "\n".join(pending)


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` that starts a word outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def invocations(text: str, lang: str) -> tuple[tuple[str, ...], ...]:
    """The argv after ``flowkit`` of every flowkit simple command in one logical line."""
    out = []
    joined = " ".join(_clean(part, lang) for part in text.replace("\\\n", " ").split("\n"))
    try:
        lexer = shlex.shlex(joined, posix=True, punctuation_chars="|&;()")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: not shell (prose, output)
        return ()
    command: list[str] = []
    for token in [*tokens, ";"]:
        if token in SEPARATORS or token.endswith("$("):
            words = list(command)
            while words and ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words and words[0] == "flowkit":
                out.append(tuple(words[1:]))
            command = []
        else:
            command.append(token)
    return tuple(out)


def _clean(line: str, lang: str, cron: bool = True) -> str:
    line = _strip_comment(line)
    if lang in ("yaml", "yml"):
        line = YAML_STEP.sub("", line, count=1)
    line = re.sub(r"^\s*\$\s+", "", line)  # a `$ ` prompt
    return CRON.sub("", line, count=1) if cron else line


def doc_lines(paths: list[Path] | None = None) -> list[DocLine]:
    """Every documented flowkit command line, in file order."""
    found = []
    for path in paths or doc_files():
        for block in blocks(path):
            if block.lang not in SHELL_LANGS:
                continue
            for lineno, text in logical_lines(block):
                calls = invocations(text, block.lang)
                if calls:
                    found.append(DocLine(block.path, lineno, text, block, calls))
    return found


INLINE = re.compile(r"`([^`\n]+)`")


def inline_commands(path: Path) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(file:line, text, argv after flowkit) of each inline code span that is a flowkit command:
    ``flowkit …``, or a command name and more (``deliver --wait SECONDS``), outside fenced blocks."""
    from flowkit.cli import COMMANDS

    fenced: set[int] = set()
    for block in blocks(path):
        fenced.update(range(block.lineno - 1, block.lineno + len(block.lines) + 1))
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if lineno in fenced:
            continue
        for m in INLINE.finditer(line):
            text = m[1].strip()
            words = text.split()
            if words[0] == "flowkit" or (words[0] in COMMANDS and len(words) > 1):
                for argv in invocations(text if words[0] == "flowkit" else f"flowkit {text}", ""):
                    yield f"{relative(path)}:{lineno}", text, argv


# -- options against the click tree ------------------------------------------------------------

PLACEHOLDER = re.compile(r"^\[?(?P<word>[^\[\]]*?)\]?(\.\.\.)?$")  # [--force], [FILE]..., NAME]...


def check_options(root: click.Command, argv: tuple[str, ...]) -> list[str]:
    """Problems of one invocation: an unknown command or subcommand, an option its command lacks."""
    problems: list[str] = []
    command, path = root, ["flowkit"]
    ctx = click.Context(root, info_name="flowkit", **root.context_settings)
    tokens = [_unbracket(t) for t in argv]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in ("", "...") or token.startswith(("$", "<", ">", "-|")):
            continue
        if token == "--":
            break
        if token.startswith("-") and token != "-" and not _is_number(token):
            takes_value, problem = _option(command, ctx, token)
            if problem:
                problems.append(f"{' '.join(path)}: no such option {problem}")
            if takes_value and "=" not in token and i < len(tokens):
                i += 1
            continue
        if isinstance(command, click.Group):
            sub = command.get_command(ctx, token)
            if sub is not None:
                command, ctx = sub, click.Context(sub, parent=ctx, info_name=token)
                path.append(token)
                continue
            if not _takes_arguments(command) and token.islower():
                problems.append(f"{' '.join(path)}: no such command {token!r}")
                break
    return problems


def _unbracket(token: str) -> str:
    m = PLACEHOLDER.match(token)
    word = m["word"] if m else token
    return word.split("|")[0] if word.startswith("-") else word  # [--raw|--records]


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"-\d+(\.\d+)?", token))


def _option(command: click.Command, ctx: click.Context, token: str) -> tuple[bool, str | None]:
    """(takes a value, problem) for one option token (``--name``, ``--name=value``, ``-vv``)."""
    names: dict[str, click.Option] = {}
    for param in command.params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                names[name] = param
    helps = set(ctx.help_option_names) if command.add_help_option else set()
    if token.startswith("--"):
        name = token.split("=", 1)[0]
        if name in helps:
            return False, None
        if name not in names:
            return False, name
        return _takes_value(names[name], name), None
    for k, ch in enumerate(token[1:], start=1):  # -vv, -q, -h
        name = "-" + ch
        if name in helps:
            continue
        if name not in names:
            return False, name
        if _takes_value(names[name], name):
            return k == len(token) - 1, None
    return False, None


def _takes_value(option: click.Option, name: str) -> bool:
    return not (option.is_flag or option.count or name in option.secondary_opts)


def _takes_arguments(command: click.Command) -> bool:
    return any(isinstance(p, click.Argument) for p in command.params)

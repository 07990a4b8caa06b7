"""Docs are tests: every documented ``flowkit`` command line parses, and runs or is listed.

Lines come from README.md and docs/**/*.md mechanically (tests/docs_lines.py).

- Every line, in every file (docs/commands.md too), is checked against the real
  click tree: the command and its subcommands exist, and so does each option on
  the command it is given to. Inline ``flowkit …`` spans in the prose as well.
- Every line is then run here as a real shell pipeline (``bash -o pipefail``)
  in a copy of the repository's samples/ with its own HOME, XDG folders and
  state store, or it is listed in ``NOT_RUN`` with the reason. A line added to
  a doc is run as soon as it is written; a table entry that no longer matches a
  doc line fails, so the tables cannot go stale.
- The recipes in ``RECIPES`` run verbatim, block by block, every block's exit
  status checked.

Examples name the reader's own config: a source ``shop``, the destinations
``mis`` (a hotfolder), ``mis-sftp``/``printco-sftp`` (the suite's sshd) and
``erp``/``shop`` (the suite's HTTP server). ``reader_config`` writes that config
to ``$XDG_CONFIG_HOME/flowkit/config.toml``, where flowkit finds it; lines with
their own ``--config`` use theirs. Absolute scratch folders in the docs
(``/tmp/…``, ``/srv/…``) are moved under the test's own folder.

All the docs' scripts start together on first use (``doc_runs``), a few at a
time, so the module costs about what its slowest doc costs on a two-core box.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docs_lines import (
    ROOT,
    Block,
    DocLine,
    blocks,
    check_options,
    doc_files,
    doc_lines,
    inline_commands,
    shown_outputs,
)

from flowkit.cli import cli

LOOP = "covered by tests/test_cron_loop.py (the README pipeline and cron job, end to end); option-checked here"
SYNOPSIS = "a synopsis (placeholders); option-checked only"
GENERATED = "docs/commands.md"  # from --help by cog: its examples are option-checked, the pages run them
SCALE_OUT = (
    "needs a PostgreSQL server (db.example.com): tests/test_state_migrate.py::test_the_scale_out_page_runs_as_written"
    " runs this line"
)

# Files none of whose lines run here, with the reason (their lines are still option-checked).
NOT_RUN_FILES: dict[str, str] = {
    "README.md": LOOP,
    "docs/recipes/cron.md": LOOP,
}

# Single lines not run here, with the reason: (file, the line on one line) -> reason.
NOT_RUN: dict[tuple[str, str], str] = {
    (
        "docs/commands/receive.md",
        "flowkit receive [--listen HOST:PORT] [--inbox DIR] [--read-timeout SECONDS] [--max-body-size BYTES]"
        " [--max-connections N] [--rate-limit N] [--check]",
    ): SYNOPSIS,
    (
        "docs/commands/receive.md",
        "SHOP_WEBHOOK_SECRET=s3cret WMS_TOKEN=t0ken PRINT_WEBHOOK_SECRET=s3cret flowkit --config samples/receive.toml"
        " receive --inbox /srv/flowkit/inbox",
    ): "starts the receiver, which runs until stopped (tests/test_receive.py runs it with real clients); option-checked",
    (
        "docs/commands/deliver.md",
        "flowkit deliver [--to NAME_OR_URL|TEMPLATE] [--name TEMPLATE] [--force] [--retry-failed]"
        " [--max-attempts N] [--wait SECONDS] [--raw|--records] [FILE]...",
    ): SYNOPSIS,
    (
        "docs/commands/transform.md",
        "flowkit transform --xslt STYLESHEET [--engine libxslt|saxon] [--param NAME=VALUE]... [--param-from-meta NAME]... [FILE]...",
    ): SYNOPSIS,
    (
        "docs/commands/transform.md",
        "flowkit transform --jolt SPEC.json [--param NAME=VALUE]... [--param-json NAME=JSON]... [--context FILE.json]"
        " [--jolt-strict] [FILE]...",
    ): SYNOPSIS,
    (
        "docs/commands/transform.md",
        "flowkit transform test [--engine libxslt|saxon] [--ignore-whitespace] [--schema FILE] [--junit FILE] [--update] PATH...",
    ): SYNOPSIS,
    (
        "docs/commands/apply-rules.md",
        "flowkit apply-rules test [--rules RULES.toml] [--junit FILE] [--update] PATH...",
    ): SYNOPSIS,
    # docs/scale-out.md: run as written against the suite's PostgreSQL (libpq's PGHOSTADDR) by tests/test_state_migrate.py
    ("docs/scale-out.md", "flowkit state migrate --from ~/.local/state/flowkit/state.db"): SCALE_OUT,
    ("docs/scale-out.md", "flowkit state check"): SCALE_OUT,
    ("docs/scale-out.md", "flowkit state show 1203"): SCALE_OUT,
    (
        "docs/scale-out.md",
        "flowkit state migrate --from postgresql://flowkit@db.example.com/flowkit --to state-copy.db",
    ): SCALE_OUT,
    ("docs/scale-out.md", "flowkit state migrate --from ~/.local/state/flowkit/state.db --force"): (
        "needs a PostgreSQL server and a run still going: "
        "tests/test_state_migrate.py::test_runs_still_going_are_named_and_force_copies_anyway runs this line"
    ),
}

# Lines that need a server: run against the suite's local ones (tests/servers/), skipped without them.
SERVERS: dict[tuple[str, str], str] = {
    (
        "docs/commands/deliver.md",
        "flowkit query-orders --unsent | flowkit render | flowkit deliver --to printco-sftp | flowkit query-orders mark-sent",
    ): "sshd",
    ("docs/commands/deliver.md", "flowkit deliver --to erp --retry-failed"): "http",
    (
        "docs/commands/transform.md",
        "flowkit query-orders --unsent | flowkit render --format xml"
        " | flowkit transform --xslt samples/transform/mis-jobimport.xsl"
        " --param-from-meta supplier | flowkit deliver --to mis-sftp",
    ): "sshd",
    (
        "docs/commands/import-shipment.md",
        "flowkit import-shipment --postback magento samples/shipments/despatch.ndjson | flowkit deliver --to shop",
    ): "http",
    (
        "docs/commands/import-shipment.md",
        "flowkit import-shipment --from-dir /srv/wms/outbox --batch-size 200 --postback magento | flowkit deliver --to shop",
    ): "http",
    (
        "docs/commands/import-status.md",
        "flowkit import-status --postback magento samples/statuses/magento-statuses.ndjson | flowkit deliver --to shop-status",
    ): "http",
    (
        "docs/commands/receive.md",
        "flowkit import-status --from-dir /srv/flowkit/inbox/status --postback magento | flowkit deliver --to shop-status",
    ): "http",
    (
        "docs/commands/import-status.md",
        "flowkit import-status --from-dir /srv/print/status --batch-size 50 --max-attempts 3 --target leeds-print"
        " --postback magento | flowkit deliver --to shop-status",
    ): "http",
    (
        "docs/sources.md",
        "flowkit query-orders --source shop --number 1203 | flowkit render --format json"
        " | flowkit deliver --to erp | jq -c '.body.response | keys'",
    ): "http",
}


@dataclass(frozen=True)
class Expect:
    """What a line's doc says about its outcome, where it is not "exit 0 and data on stdout"."""

    status: int = 0
    stdout: bool | None = True  # True: something, False: nothing, None: either
    stderr: str | None = None  # a text stderr must contain


EXPECT: dict[tuple[str, str], Expect] = {
    # one order of two is invalid: its error record's problems on stdout, the other rendered, exit 1
    (
        "docs/formats/error-record.md",
        "flowkit render --format json samples/invalid/orders.ndjson | jq -c 'select(.kind == \"error\") | .body.problems[]'",
    ): Expect(status=1, stderr="(5 problems): $.number: expected string, got integer; $.placed_at: "),
    # the same order refused by apply-rules: the same five problems, the other order goes on, exit 1
    (
        "docs/commands/apply-rules.md",
        "flowkit apply-rules --rules samples/rules.toml --dry-run samples/invalid/orders.ndjson"
        " | jq -c 'select(.kind == \"error\") | .body.problem_count'",
    ): Expect(status=1, stderr="order 1299 is not a valid flowkit.order/1 (5 problems): $.number: "),
    # "nothing on stdout, a note on stderr"
    ("docs/commands/render.md", "flowkit render samples/orders/1205.json"): Expect(stdout=False, stderr="hold"),
    # the transcript (its output lines are compared too); SETUP writes its bad.toml
    ("docs/config.md", "flowkit --config bad.toml config check"): Expect(status=78, stdout=False),
    ("docs/config.md", "flowkit config init flowkit.toml"): Expect(stdout=False, stderr="wrote flowkit.toml"),
    ("docs/config.md", "flowkit --config flowkit.toml config check"): Expect(stdout=False, stderr="ok"),
    (
        "docs/sources.md",
        "OMNITRON_TOKEN=t0ken MAGENTO_TOKEN=t0ken flowkit --config samples/presets.toml config check",
    ): Expect(stdout=False, stderr="samples/presets.toml: ok"),
    # "resends the kept bodies of failed and unknown deliveries": none failed before it here
    ("docs/commands/deliver.md", "flowkit deliver --to erp --retry-failed"): Expect(stdout=None),
    ("docs/routing.md", "flowkit --config samples/deliver/routes.toml deliver --retry-failed"): Expect(
        stdout=False, stderr="deliver: nothing to do"
    ),
    # a printer's SFTP server that is down: every payload not sent, exit 75, and the "down" alert written
    (
        "docs/alerts.md",
        "flowkit --config samples/alerts.toml deliver --to printer-sftp samples/deliver/payloads.ndjson > results.ndjson",
    ): Expect(status=75, stderr="deliver to printer-sftp: 3 failed, 3 not sent"),
    # a late message for an order shipped in full: refused (65), its failure result on stdout
    ("docs/commands/import-shipment.md", "flowkit import-shipment samples/shipments/late-300045.json"): Expect(
        status=65, stderr="already fully shipped"
    ),
    # no order delivered yet at that point of the recipe
    (
        "docs/recipes/debug-one-order.md",
        "flowkit state show 2000000141 | jq -c '.deliveries[] | [.destination, .status, .attempts, .remote_ref]'",
    ): Expect(stdout=None),
    # --number of an order that is not ready: 75 with the reason, nothing on stdout
    ("docs/commands/query-orders.md", "flowkit query-orders --source samples/ready --number 1303 --ready paid --raw"): Expect(
        status=75, stdout=False, stderr="order 1303 not emitted: not ready: not paid"
    ),
    # a paused source is not fetched: one line on stderr, nothing on stdout
    ("docs/pause.md", "flowkit query-orders --source shop --unsent"): Expect(stdout=False, stderr="source 'shop' is paused"),
    # the post-script step prints dead orders: none here
    (
        "docs/recipes/script-step.md",
        "flowkit query-orders --source samples/sources | python3"
        " samples/scripts/tag_orders.py | flowkit render | flowkit deliver --to mis | flowkit query-orders mark-sent"
        " | jq -c 'select(.meta.export_status == \"dead\") | .key'",
    ): Expect(stdout=False),
}

# What a doc's examples take for granted, made before its lines run (cwd: the workspace; /tmp and /srv moved).
SETUP: dict[str, str] = {
    # what receive kept in its stock and shipments inboxes, under the names it gives
    "docs/commands/receive.md": "mkdir -p /srv/flowkit/inbox/stock /srv/flowkit/inbox/shipments"
    " && cp samples/stock/late-1000.json /srv/flowkit/inbox/stock/stock-1796441410199229-1000.json"
    " && cp samples/shipments/despatch.ndjson /srv/flowkit/inbox/shipments/shipment-1796441410199230.ndjson"
    " && mkdir -p /srv/flowkit/inbox/status && n=1796441410199231 && for f in in-production-300048 printed-300045"
    " shipped-300048 shipped-300045; do cp samples/receive/status/$f.json /srv/flowkit/inbox/status/status-$n.json"
    " && n=$((n + 1)); done",
    # the transcript's bad.toml: an unknown key on line 3
    "docs/config.md": "printf '[log]\\nlevel = \"info\"\\ncolour = true\\n' > bad.toml",
    # the inbox folders of push-stock --from-dir and import-shipment --from-dir
    "docs/commands/push-stock.md": "mkdir -p inbox/stock && cp samples/stock/message-1001.json "
    "samples/stock/late-1000.json inbox/stock/",
    "docs/commands/import-status.md": "mkdir -p /srv/print/status && cp samples/statuses/magento-statuses.ndjson"
    " /srv/print/status/600-statuses.ndjson",
    "docs/commands/import-shipment.md": "mkdir -p /srv/wms/outbox && cp samples/shipments/despatch.ndjson"
    " /srv/wms/outbox/despatch-88002.ndjson",
    # payloads.ndjson and results.ndjson of the mark-sent examples: two rendered orders, delivered
    "docs/commands/query-orders.md": "flowkit render --records samples/orders/1203.json samples/orders/1204.json"
    " > payloads.ndjson && flowkit deliver --to mis < payloads.ndjson"
    " > results.ndjson",
    # ci.md's mappings/ as the recipe lays it out ("samples/transform/ follows this layout"), committed
    # and its rules-cases/ beside the reader's rules.toml and apply-rules/ (samples' own layout)
    "docs/recipes/ci.md": "cp -r samples/transform mappings && cp -r samples/rules-cases rules-cases"
    " && git add mappings rules-cases && git commit -qm mappings",
}

RECIPES = ("docs/recipes/ci.md", "docs/recipes/debug-one-order.md", "docs/recipes/script-step.md")
SCRATCH = re.compile(r"(?<![\w.~-])/(tmp|srv)/")

DOC_LINES = doc_lines()
# The output a doc shows for a shell block (an untagged block right after it), compared with what ran.
SHOWN: dict[Block, list[str]] = {b: shown for path in doc_files() for b, shown in shown_outputs(path).items()}


def key(line: DocLine) -> tuple[str, str]:
    return line.path, line.command


def not_run_reason(line: DocLine) -> str | None:
    return NOT_RUN_FILES.get(line.path) or NOT_RUN.get(key(line))


def runs_here(line: DocLine) -> bool:
    """Run here: a line of a shell block of a recipe (or the same line as one: its CI YAML steps), or a line
    of any other page that is not listed."""
    if line.path in RECIPES:
        return any(o.block.is_shell and o.command == line.command for o in DOC_LINES if o.path == line.path)
    return not_run_reason(line) is None


# -- 1. options ------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", DOC_LINES + doc_lines([ROOT / GENERATED]), ids=lambda d: d.where)
def test_documented_options_exist(line: DocLine) -> None:
    problems = [p for argv in line.invocations for p in check_options(cli, argv)]
    assert not problems, f"{line.where}: {line.command}\n" + "\n".join(problems)


def test_inline_commands_name_real_options() -> None:
    """``flowkit …`` (or ``COMMAND --option``) spans in the prose name real commands and options."""
    spans = [span for path in doc_files() for span in inline_commands(path)]
    assert len(spans) > 20
    problems = [f"{where}: `{text}`: {p}" for where, text, argv in spans for p in check_options(cli, argv)]
    assert not problems, "\n".join(problems)


# -- 2. every line is run, or listed --------------------------------------------------------------


def test_every_documented_line_is_run_or_listed() -> None:
    missing = [f"{d.where}: {d.command}" for d in DOC_LINES if not runs_here(d) and not not_run_reason(d)]
    assert not missing, (
        "documented flowkit lines that no test runs: run them (a recipe's shell block) or list them in NOT_RUN"
        " with the reason:\n" + "\n".join(missing)
    )
    keys = {key(d) for d in DOC_LINES}
    stale = [
        f"{name}: {k}"
        for name, table in (("NOT_RUN", NOT_RUN), ("SERVERS", SERVERS), ("EXPECT", EXPECT))
        for k in table
        if k not in keys
    ]
    stale += [
        f"{name}: {p}"
        for name, table in (("NOT_RUN_FILES", NOT_RUN_FILES), ("SETUP", SETUP))
        for p in table
        if not (ROOT / p).is_file()
    ]
    assert not stale, "entries that match no documented line any more:\n" + "\n".join(stale)


def test_the_covering_test_reads_those_files() -> None:
    """The test NOT_RUN_FILES hands README's and cron.md's lines to is there and reads both docs."""
    covering = ROOT / "tests" / "test_cron_loop.py"
    if not covering.exists():
        pytest.skip("tests/test_cron_loop.py is not written yet (issue 14: the cron loop)")
    source = covering.read_text(encoding="utf-8")
    assert all(Path(path).name in source for path, reason in NOT_RUN_FILES.items() if reason == LOOP)


# -- 3. running them ------------------------------------------------------------------------------


@dataclass
class Workspace:
    """A copy of samples/ (the docs run from the repository root) with its own HOME and state."""

    root: Path  # the docs' "/" for scratch folders
    work: Path
    env: dict[str, str]

    def shell(self, script: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", script],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def scratch(self, text: str) -> str:
        return SCRATCH.sub(lambda m: f"{self.root}/{m[1]}/", text)


@dataclass
class Outcome:
    """One documented line (pages) or shell block (recipes) after it ran."""

    item: DocLine | Block
    status: int
    out: str
    err: str


@dataclass
class DocRun:
    space: Workspace
    outcomes: list[Outcome]
    skipped: list[DocLine]  # lines whose server is not available here


def reader_config(work: Path, servers: dict[str, Any]) -> str:
    """The reader's own config that the examples name (servers only when they run here)."""
    parts = [
        f"""# The reader's config: what the docs' examples name.
[sources.shop]
type = "dir"
path = "{work}/samples/orders"

[destinations.mis]
type = "hotfolder"
path = "{work}/out/mis"
"""
    ]
    if "sshd" in servers:
        sshd = servers["sshd"]
        for name in ("mis-sftp", "printco-sftp"):
            folder = sshd.upload / work.parent.name / name
            folder.mkdir(parents=True, exist_ok=True)
            parts.append(f"""[destinations.{name}]
type = "sftp"
host = "127.0.0.1"
port = {sshd.port}
username = "{sshd.user}"
key_file = "{sshd.client_key}"
known_hosts = "{sshd.known_hosts}"
path = "{folder}"
filename = "{{key}}.xml"
""")
    if "http" in servers:
        base = f"{servers['http'].base}/{work.parent.name}"
        parts.append(f"""[destinations.erp]
type = "http"
url = "{base}/erp/orders/{{key}}"
method = "PUT"

[destinations.shop]
type = "http"
url = "{base}/shop/V1/order/{{meta.magento_order_id}}/ship"

[destinations.shop-status]
type = "http"
url = "{base}/shop/V1/orders/{{meta.magento_order_id}}/comments"
""")
    return "\n".join(parts)


def make_workspace(folder: Path, venv_bin: Path, servers: dict[str, Any]) -> Workspace:
    root, work, home = folder / "fs", folder / "repo", folder / "home"
    shutil.copytree(ROOT / "samples", work / "samples")
    shutil.copy(ROOT / "samples" / "rules.toml", work / "rules.toml")  # the reader's rules.toml and its maps
    shutil.copytree(ROOT / "samples" / "apply-rules", work / "apply-rules")
    (home / ".config" / "flowkit").mkdir(parents=True)
    (home / ".config" / "flowkit" / "config.toml").write_text(reader_config(work, servers), encoding="utf-8")
    (root / "tmp").mkdir(parents=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith("FLOWKIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TMPDIR=str(root / "tmp"),
        FLOWKIT_STATE=str(folder / "state.db"),
        PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
        GIT_AUTHOR_NAME="docs",
        GIT_AUTHOR_EMAIL="docs@example.com",
        GIT_COMMITTER_NAME="docs",
        GIT_COMMITTER_EMAIL="docs@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        PAGER="cat",
        NO_COLOR="1",
    )
    return Workspace(root, work, env)


def run_page(space: Workspace, path: str, lines: list[DocLine]) -> list[Outcome]:
    """A page's lines in order, in one shell (an ``export`` before a line in its block applies)."""
    out = space.work.parent / "out"
    out.mkdir()
    script = ["set -u"]
    for n, line in enumerate(lines):
        script += [space.scratch(text) for text in exports_before(line)]
        script.append(f'{{ {space.scratch(line.shell)}\n}} >"{out}/{n}.out" 2>"{out}/{n}.err"; echo $? >"{out}/{n}.rc"')
    done = space.shell("\n".join(script))
    assert done.returncode == 0, f"{path}: the runner failed: {done.stderr}"
    return [
        Outcome(
            line,
            int((out / f"{n}.rc").read_text()),
            *((out / f"{n}.{stream}").read_text(errors="replace") for stream in ("out", "err")),
        )
        for n, line in enumerate(lines)
    ]


def run_recipe(space: Workspace, shell_blocks: list[Block]) -> list[Outcome]:
    """Each shell block verbatim, in order, each in its own ``bash -o pipefail``."""
    outcomes = []
    for block in shell_blocks:
        done = space.shell(block.text)
        outcomes.append(Outcome(block, done.returncode, done.stdout, done.stderr))
    return outcomes


def exports_before(line: DocLine) -> list[str]:
    """``export NAME=…`` statements of the line's block that come before it (the doc's environment)."""
    before = line.block.lines[: line.lineno - line.block.lineno]
    return [text for text in before if re.match(r"^\s*export\s+[A-Za-z_]\w*=", text)]


def run_doc(path: str, folder: Path, venv_bin: Path, servers: dict[str, Any]) -> DocRun:
    lines = [d for d in DOC_LINES if d.path == path and runs_here(d)]
    runnable = [d for d in lines if SERVERS.get(key(d), "") in ("", *servers)]
    space = make_workspace(folder, venv_bin, servers)
    shell_blocks = [b for b in blocks(ROOT / path) if b.is_shell]
    texts = [b.text for b in shell_blocks] if path in RECIPES else [d.command for d in runnable]
    if any(re.search(r"(^|[|&;]\s*)git\s", text, re.M) for text in texts):  # a doc that reviews with git
        done = space.shell("git init -q && git add -A && git commit -qm samples")
        assert done.returncode == 0, done.stderr
    if path in SETUP:
        done = space.shell(space.scratch(SETUP[path]))
        assert done.returncode == 0, f"SETUP of {path}: {done.stderr}"
    outcomes = run_recipe(space, shell_blocks) if path in RECIPES else run_page(space, path, runnable)
    return DocRun(space, outcomes, [d for d in lines if d not in runnable])


PAGES = sorted({d.path for d in DOC_LINES if d.path not in RECIPES and runs_here(d)})


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """The folder of the ``flowkit`` script this suite runs with (the venv's bin)."""
    here = Path(sys.executable).parent
    script = here / "flowkit" if (here / "flowkit").exists() else Path(shutil.which("flowkit") or "")
    if not script.is_file():
        pytest.skip("no flowkit script next to the interpreter nor on PATH")
    return script.parent


@pytest.fixture(scope="session")
def doc_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, venv_bin: Path) -> Any:
    """Every page's and recipe's run, started together, a few at a time: path -> Future[DocRun]."""
    module = sys.modules[__name__]
    wanted = {
        item.callspec.params.get("path")
        for item in request.session.items
        if getattr(item, "module", None) is module and hasattr(item, "callspec")
    }  # only the selected docs
    servers: dict[str, Any] = {}
    needed = {server for (path, _), server in SERVERS.items() if path in wanted}
    if "sshd" in needed:
        try:
            servers["sshd"] = request.getfixturevalue("sshd_server")
        except pytest.skip.Exception:
            pass  # no sshd here: its lines are skipped, and say so
    if "http" in needed:
        servers["http"] = request.getfixturevalue("http_server_session")[0]
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        futures: dict[str, Future[DocRun]] = {
            path: pool.submit(run_doc, path, tmp_path_factory.mktemp("doc"), venv_bin, servers)
            for path in [*RECIPES, *PAGES]
            if path in wanted
        }
        yield futures


def line_problems(line: DocLine, run: DocRun, outcome: Outcome) -> list[str]:
    expect = EXPECT.get(key(line), Expect())
    problems = []
    if outcome.status != expect.status:
        problems.append(f"exit {outcome.status}, expected {expect.status}")
    target = re.search(r"(?<![0-9&>])>\s*([^\s|&;>]+)\s*$", line.command)  # the line ends `> FILE`
    if target and expect.stdout:
        written = run.space.work / target[1]
        if not written.is_file() or written.stat().st_size == 0:
            problems.append(f"wrote nothing to {target[1]}")
    elif expect.stdout and not outcome.out.strip():
        problems.append("nothing on stdout")
    elif expect.stdout is False and outcome.out.strip():
        problems.append(f"expected nothing on stdout, got {outcome.out[:300]!r}")
    if expect.stderr and expect.stderr not in outcome.err:
        problems.append(f"stderr lacks {expect.stderr!r}")
    last_of_block = line == [d for d in DOC_LINES if d.block == line.block][-1]
    problems += unshown(line.transcript or (SHOWN.get(line.block) if last_of_block else None), outcome)
    if problems:
        return [f"{line.where}: {line.command}\n  " + "; ".join(problems) + f"\n  stderr: {outcome.err[-800:]}"]
    return []


def unshown(shown: list[str] | None, outcome: Outcome) -> list[str]:
    """The lines of output a doc shows that the run did not print (``…`` marks an elision)."""
    printed = {line.rstrip() for line in (outcome.out + outcome.err).splitlines()}
    return [
        f"the doc shows {text!r}, not printed"
        for text in shown or ()
        if text.rstrip() not in printed and "…" not in text and text.strip() != "..."
    ]


@pytest.mark.parametrize("path", PAGES)
def test_documented_examples_run(path: str, doc_runs: dict[str, Future[DocRun]]) -> None:
    """A page's lines, in order in one workspace (later lines see what earlier ones stored)."""
    run = doc_runs[path].result()
    problems = [p for o in run.outcomes if isinstance(o.item, DocLine) for p in line_problems(o.item, run, o)]
    assert not problems, "\n".join(problems)
    if run.skipped:
        pytest.skip(f"{len(run.skipped)} line(s) ran, but not those that need sshd: " + ", ".join(d.where for d in run.skipped))


@pytest.mark.parametrize("path", RECIPES)
def test_recipe_runs_verbatim(path: str, doc_runs: dict[str, Future[DocRun]]) -> None:
    """Each shell block of the recipe, as written, in order, in one workspace: exit 0 with pipefail on,
    and something on stdout unless the block's lines say otherwise."""
    run = doc_runs[path].result()
    assert run.outcomes
    for outcome in run.outcomes:
        assert isinstance(outcome.item, Block)
        block = outcome.item
        where = f"{path}:{block.lineno}"
        assert outcome.status == 0, f"{where}: exit {outcome.status}\n{block.text}\nstderr: {outcome.err}"
        expects = [EXPECT.get(key(d), Expect()) for d in DOC_LINES if d.block == block]
        if expects and all(e.stdout for e in expects):
            assert outcome.out.strip(), f"{where}: nothing on stdout\n{block.text}\nstderr: {outcome.err}"
        if any(e.stdout is False for e in expects):
            assert not outcome.out.strip(), f"{where}: expected nothing on stdout\n{outcome.out}"
        missing = unshown(SHOWN.get(block), outcome)
        assert not missing, f"{where}: " + "\n".join(missing)


def test_ci_recipe_goes_red_on_a_failing_case(tmp_path: Path, venv_bin: Path) -> None:
    """ci.md's "Any other CI" block exits 1 and says so when a golden case no longer matches."""
    block = next(b for b in blocks(ROOT / "docs/recipes/ci.md") if b.is_shell and "case $?" in b.text)
    space = make_workspace(tmp_path, venv_bin, {})
    shutil.copytree(space.work / "samples" / "transform", space.work / "mappings")
    expected = space.work / "mappings" / "cases" / "csv" / "order-1204.out.csv"
    expected.write_text(expected.read_text().replace("GBP", "EUR", 1))
    done = space.shell(block.text)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "some mapping cases fail" in done.stdout and "order-1204" in done.stdout
    assert "order-1204" in (space.work / "build" / "transform-junit.xml").read_text()


# -- 4. the reading itself ------------------------------------------------------------------------


def test_extraction_reads_pipelines_cron_yaml_and_prompts(tmp_path: Path) -> None:
    doc = tmp_path / "probe.md"
    doc.write_text(
        """# probe
Prose with `flowkit render --format xml` inline, and `deliver --wait SECONDS`.

```sh
export FLOWKIT_STATE=/tmp/x.db
flowkit query-orders --source shop --unsent \\
  | flowkit render \\
  | jq -c . # flowkit comment --nope
17 * * * * shop flowkit deliver --to mis --retry-failed | flowkit query-orders mark-sent
echo "flowkit state show --nope"
ls flowkit/cli.py
```

```yaml
      - run: flowkit transform test cases --junit out.xml
```

```
$ flowkit --config bad.toml config check
flowkit: error: bad.toml: 1 problem(s)
flowkit/cli.py    root group
```

```json
{"flowkit": "record/1"}
```
""",
        encoding="utf-8",
    )
    found = doc_lines([doc])
    assert [(d.lineno, d.invocations) for d in found] == [
        (6, (("query-orders", "--source", "shop", "--unsent"), ("render",))),
        (9, (("deliver", "--to", "mis", "--retry-failed"), ("query-orders", "mark-sent"))),
        (15, (("transform", "test", "cases", "--junit", "out.xml"),)),
        (19, (("--config", "bad.toml", "config", "check"),)),
    ]
    assert found[0].command == "flowkit query-orders --source shop --unsent | flowkit render | jq -c ."
    assert found[2].shell == "flowkit transform test cases --junit out.xml"
    assert found[3].shell == "flowkit --config bad.toml config check"
    assert found[3].transcript == ["flowkit: error: bad.toml: 1 problem(s)", "flowkit/cli.py    root group"]
    assert exports_before(found[0]) == ["export FLOWKIT_STATE=/tmp/x.db"]
    assert [argv for _, _, argv in inline_commands(doc)] == [("render", "--format", "xml"), ("deliver", "--wait", "SECONDS")]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("query-orders", "--mark-sent"), "flowkit query-orders: no such option --mark-sent"),
        (("state", "shw", "1203"), "flowkit state: no such command 'shw'"),
        (("--state", "x.db", "state", "show", "1203", "--jsn"), "flowkit state show: no such option --jsn"),
        (("-vv", "render", "--format", "xml", "-x"), "flowkit render: no such option -x"),
        (
            ("transform", "test", "cases", "--update", "--junit=out.xml", "--frob"),
            "flowkit transform test: no such option --frob",
        ),
    ],
)
def test_option_check_finds_the_wrong_option(argv: tuple[str, ...], problem: str) -> None:
    assert check_options(cli, argv) == [problem]


@pytest.mark.parametrize(
    "argv",
    [
        ("--config", "samples/x.toml", "query-orders", "mark-sent", "--no-source"),
        ("transform", "--xslt", "STYLESHEET", "[--param", "NAME=VALUE]...", "[FILE]..."),
        ("deliver", "--to", "x", "[--raw|--records]", "-h"),
        ("state", "purge", "--older-than", "-1"),
        ("render", "--example", "xml"),
    ],
)
def test_option_check_accepts_real_lines(argv: tuple[str, ...]) -> None:
    assert check_options(cli, argv) == []

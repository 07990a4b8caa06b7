"""The loop users run, as documented: README's pipeline and the cron recipe, verbatim, into a real SFTP server.

Every source kind (HTTP presets over a local API, folders of each mapping) goes
through ``query-orders | apply-rules | render | transform | deliver | mark-sent``
as README.md writes it, in bash with ``pipefail``, as separate processes:
every exportable order arrives once, a rerun sends nothing. With the SFTP
server down the pipeline (and the cron job) exits 75, ``state show`` tells the
outage, and the very next run after the server is back delivers exactly what
was missed.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from query_orders_api import MAGENTO_TOKEN, MAPPINGS, OMNI_TOKEN, Api, serve
from servers import sshd

ROOT = Path(__file__).parent.parent
BIN = str(Path(sys.executable).parent)
RULES = '[[rules]]\nname = "big runs"\nadd_tags = ["big-run"]\nwhen.any_line_quantity = "> 100"\n'
XSL = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="yes"/>
  <xsl:template match="/Order">
    <MisJob number="{OrderNumber}" lines="{count(OrderLines/OrderLine)}"/>
  </xsl:template>
</xsl:stylesheet>
"""


def doc_block(path: Path, marker: str) -> str:
    """The fenced ``sh``/``bash`` block of a doc that contains ``marker``, exactly as written."""
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        if marker in block:
            return str(block)
    raise AssertionError(f"{path.name}: no shell block with {marker!r}")


README_PIPELINE = doc_block(ROOT / "README.md", "flowkit query-orders --source inbox --unsent")
CRON_JOB = doc_block(ROOT / "docs" / "recipes" / "cron.md", "#!/usr/bin/env bash")


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture(scope="module")
def sftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sshd.Sshd]:
    """An sshd of this module's own, so it can be stopped and started again (an outage)."""
    if not sshd.available():
        pytest.skip("OpenSSH sshd not installed (run scripts/test-servers.sh)")
    server = sshd.start(tmp_path_factory.mktemp("loop-sshd") / "srv")
    yield server
    if server.process.poll() is None:
        server.stop()


def variants(name: str, count: int, change: Callable[[dict[str, Any], int], None]) -> list[dict[str, Any]]:
    base = json.loads((MAPPINGS / name).read_text(encoding="utf-8"))
    out = []
    for index in range(count):
        doc = copy.deepcopy(base)
        change(doc, index)
        out.append(doc)
    return out


def folder_orders(kind: str) -> tuple[dict[str, str], str, set[str]]:
    """(file name -> content, the source's mapping, the numbers that must be delivered) for a folder source."""
    if kind == "canonical-without-id":  # the samples, with the ids a hand-written order may lack
        files, numbers = {}, set()
        for path in sorted((ROOT / "samples" / "orders").glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc.pop("id", None)
            files[path.name] = json.dumps(doc)
            if doc["status"] != "cancelled" and not doc["hold"]["on_hold"]:
                numbers.add(doc["number"])
        return files, "auto", numbers
    if kind == "infigo-xml":
        text = (MAPPINGS / "infigo-basic.in.xml").read_text(encoding="utf-8")
        files = {f"in-{n}.xml": text.replace("IN-5001", f"IN-60{n}") for n in range(3)}
        assert all(f"IN-60{n}" in files[f"in-{n}.xml"] for n in range(3))
        return files, "infigo", {f"IN-60{n}" for n in range(3)}
    specs: dict[str, tuple[str, str, Callable[[dict[str, Any], int], None], str]] = {
        "magento2": (
            "magento2-basic.in.json",
            "magento2",
            lambda d, n: d.update(entity_id=700 + n, increment_id=f"70000{n}"),
            "70000{}",
        ),
        "omnitron": ("omnitron-basic.in.json", "omnitron", lambda d, n: d.update(pk=800 + n, number=f"OMN-80{n}"), "OMN-80{}"),
        "infigo-json": ("infigo-basic.in.json", "infigo", lambda d, n: d.update(Id=f"IN-90{n}"), "IN-90{}"),
        "gelato": (
            "gelato-basic.in.json",
            "gelato",
            lambda d, n: d.update(id=f"gel-{n}", orderReferenceId=f"GEL-10{n}"),
            "GEL-10{}",
        ),
        "jolt": ("user-jolt.in.json", str(MAPPINGS / "user-jolt.spec.json"), lambda d, n: d.update(ref=f"LS-40{n}"), "LS-40{}"),
    }
    name, mapping, change, number = specs[kind]
    docs = variants(name, 3, change)
    return {f"{kind}-{n}.json": json.dumps(doc) for n, doc in enumerate(docs)}, mapping, {number.format(n) for n in range(3)}


def cron_doc_lines(number: str) -> list[str]:
    """cron.md's other flowkit lines (crontab entries without their schedule), about order ``number``."""
    text = (ROOT / "docs" / "recipes" / "cron.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = re.sub(r"^(\S+\s+){5}shop\s+", "", line.split("  #")[0]).strip()
            if command.startswith("flowkit "):
                lines.append(command.replace("1203", number))
    assert len(lines) == 6, lines
    return lines


class Loop:
    """A working folder as a user sets it up: flowkit.toml, rules.toml, mis.xsl, a state store beside them."""

    def __init__(self, work: Path, source: str, server: sshd.Sshd, state: Any) -> None:
        self.work, self.server = work, server
        self.remote = server.upload / work.name
        self.remote.mkdir(parents=True)
        (work / "rules.toml").write_text(RULES)
        (work / "mis.xsl").write_text(XSL)
        (work / "flowkit.toml").write_text(f"""{source}
[destinations.mis-sftp]
type = "sftp"
host = "127.0.0.1"
port = {server.port}
username = "{server.user}"
path = "{self.remote}"
filename = "{{key}}.xml"
key_file = "{server.client_key}"
known_hosts = "{server.known_hosts}"
retries = 1

{state_config(state)}
[apply-rules]
rules = "rules.toml"
""")
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(work),
            "FLOWKIT_CONFIG": str(work / "flowkit.toml"),
            "OMNI_TOKEN": OMNI_TOKEN,
            "SHOP_TOKEN": MAGENTO_TOKEN,
        }
        self.env.pop("FLOWKIT_STATE", None)

    def bash(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", script], cwd=self.work, env=self.env, capture_output=True, text=True, timeout=120)

    def readme(self) -> subprocess.CompletedProcess[str]:
        return self.bash(README_PIPELINE)

    def cron(self) -> subprocess.CompletedProcess[str]:
        job = self.work / "export-orders"
        job.write_text(CRON_JOB)
        job.chmod(0o755)
        return subprocess.run([str(job)], cwd=self.work, env=self.env, capture_output=True, text=True, timeout=120)

    def delivered(self) -> dict[str, float]:
        """Remote file stem -> modification time (a re-upload replaces the file and moves its time)."""
        return {p.stem: p.stat().st_mtime_ns for p in self.remote.iterdir() if not p.name.startswith(".")}

    def story(self, number: str) -> dict[str, Any]:
        shown = self.bash(f"flowkit state show {number}")
        assert shown.returncode == 0, shown.stderr
        story: dict[str, Any] = json.loads(shown.stdout)
        return story


def state_config(state: Any) -> str:
    """The ``[state]`` table for the test's store: the file ``state.db`` beside the config, or its PostgreSQL URL."""
    return '[state]\npath = "state.db"\n' if isinstance(state, Path) else f'[state]\nurl = "{state}"\n'


def http_source(preset: str, base: str) -> str:
    token = "OMNI_TOKEN" if preset == "omnitron" else "SHOP_TOKEN"
    return f'[sources.inbox]\ntype = "http"\npreset = "{preset}"\nbase_url = "{base}"\ntoken = "${{{token}}}"\npage_size = 2\n'


def expected_http(api: Api, preset: str) -> set[str]:
    """What the API holds that is exportable: Omnitron's not sent yet and approved (cancelled 100 stays out,
    cancellation-waiting 50 is held); Magento's open invoiced orders (the preset's default, invoiced_only)."""
    if preset == "omnitron":
        return {o["number"] for o in api.omni.values() if not o["is_send"] and o["status"] == "400"}
    return {o["increment_id"] for o in api.magento if o["state"] == "processing" and (o.get("total_invoiced") or 0) > 0}


def check_run(result: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert result.returncode == code, f"exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("preset", ["magento2", "omnitron"])
def test_readme_pipeline_from_an_http_api(
    preset: str, tmp_path: Path, api_server: tuple[str, Api], sftp: sshd.Sshd, state_path: Path
) -> None:
    base, api = api_server
    api.reset()
    loop = Loop(tmp_path, http_source(preset, base), sftp, state_path)
    wanted = expected_http(api, preset)
    check_run(loop.readme())
    first = loop.delivered()
    assert set(first) == wanted  # every exportable order, none held as its own duplicate
    for number in first:
        assert loop.story(number)["order"]["export_status"] == "exported"
    again = loop.readme()
    check_run(again)
    assert again.stdout == "" and loop.delivered() == first  # nothing sent twice
    if preset == "omnitron":  # mark-sent told the source: is_send set on each delivered order
        assert {o["number"] for o in api.omni.values() if o["is_send"]} >= set(first)


@pytest.mark.parametrize("kind", ["canonical-without-id", "magento2", "omnitron", "infigo-json", "infigo-xml", "gelato", "jolt"])
def test_readme_pipeline_from_a_folder_of_each_format(kind: str, tmp_path: Path, sftp: sshd.Sshd, state_path: Path) -> None:
    files, mapping, numbers = folder_orders(kind)
    inbox = tmp_path / "orders"
    inbox.mkdir()
    for name, text in files.items():
        (inbox / name).write_text(text)
    loop = Loop(tmp_path, f'[sources.inbox]\ntype = "dir"\npath = "orders"\nmapping = "{mapping}"\n', sftp, state_path)
    check_run(loop.readme())
    first = loop.delivered()
    assert set(first) == numbers
    check_run(loop.readme())
    assert loop.delivered() == first


@pytest.mark.parametrize("preset", ["magento2", "omnitron"])
def test_an_outage_is_loud_and_the_next_run_delivers_what_was_missed(
    preset: str, tmp_path: Path, api_server: tuple[str, Api], sftp: sshd.Sshd, state_path: Path
) -> None:
    base, api = api_server
    api.reset()
    loop = Loop(tmp_path, http_source(preset, base), sftp, state_path)
    wanted = expected_http(api, preset)
    sftp.stop()
    try:
        down = loop.readme()
        check_run(down, 75)  # pipefail: deliver's temporary failure is the pipeline's status
        assert down.stderr.count("not sent:") == 1  # the cause named once, not once per order
        assert f"deliver to mis-sftp: {len(wanted)} failed, {len(wanted)} not sent" in down.stderr
        job = loop.cron()
        check_run(job, 75)
        assert "temporary" in job.stderr
        assert loop.delivered() == {}
        number = sorted(wanted)[0]
        story = loop.story(number)
        assert story["order"]["export_status"] == "failed"
        not_sent = [e for e in story["events"] if e["event"] == "not-sent"]
        assert len(not_sent) == 2 and all(e["detail"]["exit_code"] == 75 for e in not_sent)
        assert "cannot connect" in not_sent[0]["detail"]["error"]
        assert story["order"]["attempts"] == 0  # an outage is not held against the order
    finally:
        sftp.restart()
    started = time.monotonic()
    job = loop.cron()  # the very next run, no requeue delay
    check_run(job)
    assert set(loop.delivered()) == wanted
    assert time.monotonic() - started < 60
    after = loop.delivered()
    check_run(loop.cron())
    check_run(loop.readme())
    assert loop.delivered() == after  # and nothing twice
    for line in cron_doc_lines(number):  # the recipe's retry, watching and housekeeping lines, as written
        check_run(loop.bash(line))
    if preset == "omnitron":
        assert {o["number"] for o in api.omni.values() if o["is_send"]} >= wanted


def test_readme_set_up_and_completion_lines_run() -> None:
    """README's other shell lines: the activated environment's flowkit, and each shell's completion script."""
    venv = ROOT / ".venv" / "bin" / "activate"
    if not venv.exists():
        pytest.skip("no .venv in the checkout (make test creates it)")
    activate = doc_block(ROOT / "README.md", ". .venv/bin/activate")
    done = subprocess.run(["bash", "-c", activate], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "query-orders" in done.stdout, done.stderr
    completion = doc_block(ROOT / "README.md", "_FLOWKIT_COMPLETE=bash_source")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for line in completion.splitlines():
        command = line.split("  #")[0].strip()
        script = re.sub(r'^eval "\$\((.*)\)"$', r"\1", command).replace(" | source", "")
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0 and "flowkit" in done.stdout and "complete" in done.stdout, (command, done.stderr)


def test_a_next_command_that_fails_is_named_not_a_silent_crash(tmp_path: Path, state_path: Path) -> None:
    """deliver's reader gone (a mistyped mark-sent): deliver says so, and its run is not logged "crashed"."""
    (tmp_path / "flowkit.toml").write_text('[destinations.hot]\ntype = "hotfolder"\npath = "out"\n' + state_config(state_path))
    lines = "".join(
        json.dumps(
            {"flowkit": "record/1", "kind": "payload", "key": str(n), "type": "application/json", "meta": {}, "body": {"n": n}}
        )
        + "\n"
        for n in range(3)
    )
    (tmp_path / "payloads.ndjson").write_text(lines)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "FLOWKIT_CONFIG": "flowkit.toml"}
    env.pop("FLOWKIT_STATE", None)
    script = (
        "set -o pipefail; (head -1 payloads.ndjson; sleep 1; tail -2 payloads.ndjson) | flowkit deliver --to hot "
        '| flowkit query-orders --no-such-option; echo "${PIPESTATUS[*]}"; flowkit state runs --command deliver'
    )
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    out = done.stdout.splitlines()
    assert out[0].split()[1:] == ["1", "2"]  # the producer may die of SIGPIPE too
    assert "deliver: the next command of the pipeline stopped reading" in done.stderr
    assert json.loads(out[1])["status"] == "broken-pipe"
    assert "0.json" in {p.name for p in (tmp_path / "out").iterdir()}  # delivered before its result was refused


def test_a_refused_host_key_exits_69_and_the_run_after_the_fix_delivers(
    tmp_path: Path, api_server: tuple[str, Api], sftp: sshd.Sshd, state_path: Path
) -> None:
    base, api = api_server
    api.reset()
    loop = Loop(tmp_path, http_source("magento2", base), sftp, state_path)
    wanted = expected_http(api, "magento2")
    config = tmp_path / "flowkit.toml"
    trusted = config.read_text()
    (tmp_path / "empty_known_hosts").write_text("")
    config.write_text(trusted.replace(str(sftp.known_hosts), str(tmp_path / "empty_known_hosts")))
    check_run(loop.readme(), 69)
    job = loop.cron()
    check_run(job, 69)
    assert "refused" in job.stderr and "unknown host key" in job.stderr
    story = loop.story(sorted(wanted)[0])
    assert [e["detail"]["exit_code"] for e in story["events"] if e["event"] == "not-sent"] == [69, 69]
    assert story["order"]["attempts"] == 0  # a refused login is never held against the order
    assert loop.delivered() == {}
    for _ in range(4):  # max_attempts (5) runs refused in all: the orders stay eligible, never dead
        check_run(loop.cron(), 69)
    assert loop.story(sorted(wanted)[0])["order"]["export_status"] == "failed"
    config.write_text(trusted)  # the admin checked the fingerprint and trusted the key
    check_run(loop.cron())
    assert set(loop.delivered()) == wanted

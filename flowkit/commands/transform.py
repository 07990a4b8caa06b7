"""Reshape payloads with an XSLT 1.0 stylesheet or a Jolt spec; ``transform test`` runs golden cases.

Example: flowkit render --format xml < order.json | flowkit transform --xslt samples/transform/mis-jobimport.xsl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flowkit.cli.app import get_app
from flowkit.cli.groups import CommandGroup, Files
from flowkit.cli.options import choose_mode, output_mode


def _from_config(ctx: click.Context, name: str, value: str | None) -> str | None:
    """A path option given in ``[transform]`` is relative to the config file's folder."""
    if value and ctx.get_parameter_source(name) == click.core.ParameterSource.DEFAULT_MAP:
        return str(get_app().config.resolve_path(value))
    return value


def _given(ctx: click.Context) -> bool:
    """True when --xslt/--jolt came from the command line or the environment (they beat config tables)."""
    explicit = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    return any(ctx.get_parameter_source(name) in explicit for name in ("xslt", "jolt"))


def _jolt_options(ctx: click.Context, context: str | None, param_json: tuple[str, ...], strict: bool) -> dict[str, Any]:
    """The Jolt context's typed parts (--context, --param-json) and --jolt-strict, as Engine options."""
    from flowkit.mapping.jolt_context import ContextFile, parse_param_json

    typed = ("param_json", "context", "jolt_strict")
    given = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    named = [f"--{n.replace('_', '-')}" for n in typed if ctx.params.get(n) and ctx.get_parameter_source(n) in given]
    if named and ctx.params.get("xslt") and not ctx.params.get("jolt"):  # [transform]'s Jolt keys do not stop an XSLT run
        raise click.UsageError(f"{' and '.join(named)}: for a Jolt spec's context; a stylesheet takes --param strings")
    from flowkit.errors import ConfigError, UsageError

    where = get_app().config.where
    found = None
    if context:  # a path from [transform] is relative to the config file, and a bad file there is a config error
        configured = ctx.get_parameter_source("context") == click.core.ParameterSource.DEFAULT_MAP
        option = f"{where('transform', 'context')}: [transform] context" if configured else "--context"
        found = ContextFile.load(str(_from_config(ctx, "context", context)), option=option, from_config=configured)
    if ctx.get_parameter_source("param_json") == click.core.ParameterSource.DEFAULT_MAP:  # the config's: 78, its line
        values = parse_param_json(param_json, f"{where('transform', 'param_json')}: [transform] param_json", error=ConfigError)
    else:
        values = parse_param_json(param_json, error=UsageError)
    return {"param_json": values, "context_file": found, "jolt_strict": strict}


ENGINES = ("libxslt", "saxon")  # flowkit.transform.core.ENGINES, spelt here so --help imports no core


def _explicit(ctx: click.Context, name: str) -> bool:
    """True when option ``name`` came from the command line or the environment, not from the config."""
    return ctx.get_parameter_source(name) in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)


def _settings() -> dict[str, Any]:
    from flowkit.transform.core import settings

    config = get_app().config
    return settings(config.section("transform"), config.base_dir)


@click.group(
    "transform",
    cls=CommandGroup,
    usage="[OPTIONS] [FILE]...  |  flowkit transform test [OPTIONS] PATH...",
    invoke_without_command=True,
)
@click.option(
    "--xslt",
    metavar="STYLESHEET",
    type=click.Path(dir_okay=False),
    help="XSLT stylesheet (1.0; 3.0 with --engine saxon) for XML payloads.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="XSLT engine: libxslt (XSLT 1.0, the default) or saxon (XSLT 3.0, Saxon-HE: pip install 'flowkit-orders[saxon]').",
)
@click.option("--jolt", metavar="SPEC", type=click.Path(dir_okay=False), help="Jolt spec (JSON array) for JSON payloads.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A stylesheet parameter (a string; repeatable). For Jolt, readable as ^NAME.",
)
@click.option(
    "--param-from-meta",
    "from_meta",
    multiple=True,
    metavar="NAME",
    help="Pass the record's meta value NAME as the parameter NAME (repeatable).",
)
@click.option(
    "--param-json",
    multiple=True,
    metavar="NAME=JSON",
    help="Jolt: put a JSON value (number, list, object...) in the context as NAME (repeatable).",
)
@click.option(
    "--context",
    metavar="FILE.json",
    type=click.Path(dir_okay=False),
    help="Jolt: a JSON object file whose values form the context (^NAME, ^NAME.path).",
)
@click.option(
    "--jolt-strict",
    is_flag=True,
    help="Refuse a Jolt spec that names an unknown modify function (by default it runs as in Jolt, with a warning).",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True), cls=Files)
@output_mode
@click.pass_context
def command(
    ctx: click.Context,
    xslt: str | None,
    jolt: str | None,
    engine: str | None,
    params: tuple[str, ...],
    from_meta: tuple[str, ...],
    param_json: tuple[str, ...],
    context: str | None,
    jolt_strict: bool,
    files: tuple[str, ...],
    output: str | None,
) -> None:
    """Transform payload records (or one plain document) with XSLT or Jolt.

    Consumes kind "payload" records and passes other kinds through. The
    output keeps key and meta; its type follows xsl:output (method and
    media-type). Input XML with a DOCTYPE is refused; stylesheets cannot use
    the network or write files, and read only under their own folder.

    \b
    Examples:
      flowkit transform --xslt samples/transform/lines-csv.xsl samples/transform/cases/csv/order-1204.in.xml
      flowkit transform --jolt samples/transform/gelato-order.jolt.json --param shipmentMethod=express \\
          samples/transform/cases/gelato/order-1203.in.json
      flowkit transform --jolt samples/transform/gelato-order.jolt.json --context samples/transform/gelato-context.json \\
          --param-json 'productUids={"V789": "cards_pf_a6"}' samples/transform/cases/gelato/order-1203.in.json
      flowkit render --format xml | flowkit transform --xslt mis.xsl --param-from-meta supplier
      flowkit transform --engine saxon --xslt samples/transform/dispatch-plan-3.xsl samples/transform/cases/mis/order-1203.in.xml
    """
    if ctx.invoked_subcommand is not None:
        return
    from flowkit.errors import RecordError
    from flowkit.pipeline import finish, run
    from flowkit.provenance import Steps
    from flowkit.records import Reader
    from flowkit.transform.core import CONSUMES, EncodedWriter, Engine, check_file_sizes, parse_params, router

    found = _settings()
    options = {"params": parse_params(params), "param_from_meta": from_meta, "max_bytes": found["max_bytes"]}
    options["steps"] = Steps(get_app().config.base_dir)  # meta.transform: config paths relative to its folder
    options.update(_jolt_options(ctx, context, param_json, jolt_strict))
    if _explicit(ctx, "engine") and _explicit(ctx, "jolt") and not xslt:  # as --param-json is refused with --xslt
        raise click.UsageError("--engine: for an XSLT stylesheet (--xslt); a Jolt spec runs on jolt-py")
    options["engine"] = engine or "libxslt"
    routes = None if _given(ctx) else router(get_app().config, engine if _explicit(ctx, "engine") else None)
    if routes is not None:
        transformer = Engine(routes=routes, allow_read=found["allow_read"], **options)
    else:
        xslt, jolt = _from_config(ctx, "xslt", xslt), _from_config(ctx, "jolt", jolt)
        transformer = Engine.build(xslt=xslt, jolt=jolt, allow_read=found["allow_read"], **options)
    check_file_sizes(files, transformer.max_bytes)
    reader = Reader(files, raw_kind="payload")
    writer = EncodedWriter(mode=choose_mode(reader.mode, output))
    try:
        tally = run(reader, writer, transformer.process, consumes=CONSUMES, command="transform")
    except RecordError as exc:  # raw mode: name the document
        where = files[0] if files and files[0] != "-" else "<stdin>"
        raise RecordError(f"{where}: {exc.format_message()}", code=exc.exit_code) from exc
    finish(tally)


@command.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--ignore-whitespace", is_flag=True, help="Compare XML and text ignoring whitespace-only nodes and runs of blanks.")
@click.option(
    "--schema",
    metavar="FILE",
    type=click.Path(dir_okay=False, exists=True),
    help="Validate every XML output against this XSD (.xsd), RELAX NG (.rng) or Schematron (.sch).",
)
@click.option("--junit", metavar="FILE", type=click.Path(dir_okay=False), help="Write a JUnit XML report.")
@click.option("--update", is_flag=True, help="Rewrite the expected files with the actual outputs.")
@click.option(
    "--engine", type=click.Choice(ENGINES), help="Run every XSLT case on this engine (default: the case's engine, else libxslt)."
)
def test(
    paths: tuple[str, ...], ignore_whitespace: bool, schema: str | None, junit: str | None, update: bool, engine: str | None
) -> None:
    """Run golden transform cases: NAME.in.* through the case's stylesheet or spec vs NAME.out.*.

    A case is NAME.in.xml (or .json) beside NAME.out.EXT; settings (xslt or
    jolt, engine, params, meta, schema) come from NAME.toml, else transform.toml in
    the case's folder. Prints a unified diff per failing case and exits 1
    when any case fails (see docs/commands/transform.md).

    \b
    Example:
      flowkit transform test samples/transform/cases --junit build/transform-junit.xml
      flowkit transform test --engine saxon --ignore-whitespace samples/transform/cases/mis
    """
    from flowkit.golden import finish, write_junit
    from flowkit.transform.cases import discover, run_cases

    found = _settings()
    cases = discover([Path(p) for p in paths])
    if not cases:
        raise click.UsageError(f"no cases (NAME.in.xml / NAME.in.json) under {', '.join(paths)}")
    results = run_cases(
        cases,
        ignore_whitespace=ignore_whitespace,
        schema=schema,
        update=update,
        allow_read=found["allow_read"],
        max_bytes=found["max_bytes"],
        engine=engine,
        echo=click.echo,
    )
    if junit:
        write_junit(Path(junit), results, command="transform")
    finish(results, "transform", click.echo)

"""XSLT 3.0 with Saxon-HE (saxonche), the opt-in engine of ``transform --engine saxon``, locked down.

Saxon's defaults are wide open (``doc()``, ``unparsed-text()``, ``collection()``,
HTTP, ``environment-variable()``, ``xsl:result-document``); here, before
anything compiles, each stylesheet gets a processor of its own with external
functions off (no ``environment-variable()``, ``system-property()`` of Java's,
``xsl:result-document`` or extension instructions) and no URI scheme allowed
while it runs (``allowedProtocols`` empty: no file, no network). The modules it
includes or imports are checked by flowkit against the read jail of the
libxslt engine (the stylesheet's folder plus ``[transform] allow_read``) and
are the only files Saxon reads, while compiling. Inputs are parsed by
flowkit's hardened parser and handed over as a serialized tree; Saxon's own
stderr is captured (one clean error line instead); calls stay on the thread
that compiled the stylesheet. See docs/architecture.md ("Saxon").
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit.errors import ConfigError
from flowkit.mapping import xmlsafe
from flowkit.mapping.xslt import XSL, Output, TransformFailed, _declared_output, _unknown_encoding

if TYPE_CHECKING:
    from lxml import etree

ENGINE = "saxon"
FEATURE = "http://saxon.sf.net/feature/"
# Saxon's own XML parser refuses a DOCTYPE too (what flowkit checked is what Saxon parses; this is the second line)
NO_DOCTYPE = FEATURE + "parserFeature?uri=http%3A//apache.org/xml/features/disallow-doctype-decl"
MEDIA = {
    "xml": "application/xml",
    "html": "text/html",
    "xhtml": "application/xhtml+xml",
    "text": "text/plain",
    "json": "application/json",
    "adaptive": "text/plain",
}
INSTALL_HINT = "pip install 'flowkit-orders[saxon]'"
# Saxon's error reports: a header naming the place, then indented lines (code and message, context).
_WHERE = re.compile(r"on line (\d+)(?: column \d+)? (?:of|in) (\S+?):?\s*$")
_TERMINATED = re.compile(r"terminated by xsl:message at line (\d+)(?: in (\S+))?")
_UTF8 = ("utf-8", "utf8")
_PROHIBITED = re.compile(r"Access to URI (\S+) has been prohibited|URI scheme '([^']*)' has been disallowed")


def saxonche() -> Any:
    """The saxonche module, imported on first use (only ``--engine saxon`` needs it)."""
    try:
        import saxonche as module
    except ImportError as exc:
        raise ConfigError("--engine saxon needs saxonche (SaxonC-HE), which is not installed", hint=INSTALL_HINT) from exc
    return module


class _Captured:
    """While Saxon runs, what its native code writes to fds 1 and 2 goes to a scratch file, read on failure."""

    def __init__(self) -> None:
        self._fd, name = tempfile.mkstemp(prefix="flowkit-saxon-")
        os.unlink(name)
        self._saved: tuple[int, int] = (-1, -1)

    def __enter__(self) -> _Captured:
        self._saved = (os.dup(1), os.dup(2))  # the fds as they are now (a caller may have moved them since)
        os.dup2(self._fd, 1)
        os.dup2(self._fd, 2)
        return self

    def __exit__(self, *exc: object) -> None:
        for fd, saved in ((1, self._saved[0]), (2, self._saved[1])):
            os.dup2(saved, fd)
            os.close(saved)

    def take(self) -> str:
        """What was written since the last take (and forget it)."""
        size = os.lseek(self._fd, 0, os.SEEK_CUR)
        if not size:
            return ""
        os.lseek(self._fd, 0, os.SEEK_SET)
        data = b""
        while len(data) < size and (chunk := os.read(self._fd, size - len(data))):
            data += chunk
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.ftruncate(self._fd, 0)
        return data.decode("utf-8", errors="replace")


def _errors(text: str) -> list[tuple[str, int, str]]:
    """(module, line, "CODE message") of each error Saxon reported in ``text``; module "" when unnamed."""
    found: list[tuple[str, int, list[str]]] = []
    context = False  # "In template rule ..." and the "invoked by ..." lines under it: where, not what
    for line in text.splitlines():
        where = _WHERE.search(line)
        if where and not line.startswith("  "):
            found.append((os.path.basename(where.group(2).rstrip("/")), int(where.group(1)), []))
            context = False
        elif found and line.strip() and not context:
            context = line.strip().startswith("In ")
            if not context:
                found[-1][2].append(line.strip())
    return [(module, number, re.sub(r"\s+", " ", " ".join(parts))) for module, number, parts in found if parts]


def _url_path(href: str, base: Path) -> str:
    """The file a module's relative href names, against the including module (as Saxon resolves it)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) and not href.startswith("file:"):
        raise xmlsafe.AccessDenied(f"network and URL access refused: {href}")
    path = urllib.parse.unquote(href)
    if href.startswith("file:") or os.path.isabs(path):  # Saxon reads flowkit's copies: see SaxonStylesheet._compile
        raise xmlsafe.AccessDenied(f"an absolute href is refused by the saxon engine (make it relative): {href}")
    return os.path.join(base.parent, path)


def _static(element: etree._Element) -> str | None:
    """Why ``element`` holds an expression Saxon evaluates while compiling (use-when, static, shadow), or None."""
    in_xsl = isinstance(element.tag, str) and element.tag.startswith(f"{{{XSL}}}")
    for key, value in element.attrib.items():
        name = str(key)
        if name == f"{{{XSL}}}use-when" or (in_xsl and (name == "use-when" or name.startswith("_"))):
            return f"{name.rsplit('}', 1)[-1]}=..."
        if in_xsl and name == "static" and str(value).strip() in ("yes", "true", "1"):
            return 'static="yes"'
    return None


class _Modules:
    """The stylesheet's modules (itself, then what it includes and imports), each checked against the jail."""

    def __init__(self, path: Path, roots: tuple[Path, ...]) -> None:
        self.roots = tuple(os.path.realpath(root) for root in roots)
        self.paths: list[Path] = []
        self.data: dict[Path, bytes] = {}  # each module's bytes as checked: what Saxon compiles
        self._seen: set[str] = set()
        docs = self._load(path)
        self.main = docs[0]
        if len(docs) > 1:  # Saxon reads these while compiling: nothing may run then
            for module, doc in zip(self.paths, docs, strict=True):
                self._no_static(module, doc)

    def _load(self, path: Path) -> list[etree._ElementTree]:
        from lxml import etree

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read stylesheet: {exc.strerror}") from exc
        if xmlsafe.has_doctype(data):
            raise ConfigError(f"{path}: DOCTYPE refused in a stylesheet")
        try:
            doc = etree.ElementTree(etree.fromstring(data, xmlsafe.parser(), base_url=str(path)))
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise ConfigError(f"{path}:{line}:{column}: stylesheet is not well-formed XML: {exc.msg}") from exc
        if doc.docinfo.doctype or doc.docinfo.internalDTD is not None:  # the parser's view, beside the prescan
            raise ConfigError(f"{path}: DOCTYPE refused in a stylesheet")
        self.data[path] = data
        self.paths.append(path)
        self._seen.add(os.path.realpath(path))
        docs = [doc]
        for element in doc.iter(f"{{{XSL}}}include", f"{{{XSL}}}import", f"{{{XSL}}}import-schema"):
            if element.tag == f"{{{XSL}}}import-schema":
                raise ConfigError(f"{path}:{element.sourceline}: xsl:import-schema needs Saxon-EE; saxonche is Saxon-HE")
            target = self._target(path, element)
            if os.path.realpath(target) not in self._seen:
                docs += self._load(target)
        return docs

    def _target(self, path: Path, element: etree._Element) -> Path:
        """The module an xsl:include/xsl:import names, when it lies in the jail."""
        href = element.get("href", "")
        base = "{http://www.w3.org/XML/1998/namespace}base"
        if any(e.get(base) is not None for e in (element, *element.iterancestors())):
            raise ConfigError(f"{path}:{element.sourceline}: xml:base refused around xsl:include/xsl:import")
        try:
            target = os.path.normpath(_url_path(href, path))
        except xmlsafe.AccessDenied as exc:
            raise ConfigError(f"{path}:{element.sourceline}: {exc}") from exc
        real = os.path.realpath(target)
        if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots):
            raise ConfigError(f"{path}:{element.sourceline}: read outside the allowed folders refused: {href}")
        return Path(target)

    @staticmethod
    def _no_static(path: Path, doc: etree._ElementTree) -> None:
        for element in doc.iter():
            why = _static(element)
            if why is not None:
                raise ConfigError(
                    f"{path}:{element.sourceline}: {why} refused in a stylesheet that includes or imports modules "
                    "(Saxon evaluates it while it reads them): keep static expressions to single-module stylesheets"
                )

    @property
    def main_data(self) -> bytes:
        return self.data[self.paths[0]]

    def mirror(self, folder: Path) -> Path:
        """The modules' checked bytes under ``folder``, at their own absolute paths (relative hrefs resolve the same):
        Saxon reads these, so a module changed on disk after flowkit checked it is never what compiles."""
        for path, data in self.data.items():
            copy = folder / path.relative_to(path.anchor)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
        return folder / self.paths[0].relative_to(self.paths[0].anchor)

    def named(self, module: str) -> Path:
        """The module Saxon names by its file name (the main stylesheet when it names none)."""
        return next((p for p in self.paths if module and p.name == module), self.paths[0])


class SaxonStylesheet:
    """A compiled XSLT 3.0 stylesheet on its own locked-down Saxon processor; same face as ``xslt.Stylesheet``."""

    engine = ENGINE
    strips_all = False  # Saxon applies xsl:strip-space itself, on the tree it builds

    def __init__(self, path: str | os.PathLike[str], *, allow_read: tuple[Path, ...] = ()) -> None:
        self.path = Path(path)
        self.name = self.path.name
        module = saxonche()
        self._modules = _Modules(Path(os.path.abspath(self.path)), (Path(os.path.abspath(self.path)).parent, *allow_read))
        self.sha256 = hashlib.sha256(self._modules.main_data).hexdigest()
        self._thread = threading.get_ident()
        self._captured = _Captured()
        self._error = module.PySaxonApiError
        self._processor = module.PySaxonProcessor(license=False)
        self._processor.set_configuration_property(FEATURE + "allow-external-functions", "false")
        self._processor.set_configuration_property(NO_DOCTYPE, "true")
        reads = "file" if len(self._modules.paths) > 1 else ""  # only the jailed modules, only while compiling
        self._processor.set_configuration_property(FEATURE + "allowedProtocols", reads)
        try:
            self._executable = self._compile()
        finally:
            self._processor.set_configuration_property(FEATURE + "allowedProtocols", "")
        declared = _declared_output(self._modules.main)
        self.method = declared.get("method", "")
        self.media_type = declared.get("media-type", "")
        self.encoding = declared.get("encoding", "UTF-8")
        self._bad_encoding = _unknown_encoding(self._modules.main, self.encoding)
        self._executable.set_save_xsl_message(True)  # kept, not printed: the terminating one names the failure
        if self.encoding.lower() not in _UTF8:
            self._executable.set_property("!encoding", "UTF-8")  # Python gets text; re-encoded in ``_output``

    def _compile(self) -> Any:
        if len(self._modules.paths) == 1:
            return self._compile_at(self._modules.paths[0])
        with tempfile.TemporaryDirectory(prefix="flowkit-saxon-") as folder:  # 0700: flowkit's own copies
            return self._compile_at(self._modules.mirror(Path(folder)))

    def _compile_at(self, base: Path) -> Any:
        main = self._modules.main
        text = self._modules.main_data.decode(main.docinfo.encoding or "utf-8").lstrip("\ufeff")
        if text.startswith("<?xml"):
            text = text[text.index("?>") + 2 :]  # Saxon reads text, not bytes: the declaration (same line count) goes
        builder = self._processor.new_document_builder()
        builder.set_base_uri(base.as_uri())
        builder.set_line_numbering(True)
        try:
            with self._captured:
                node = builder.parse_xml(xml_text=text, encoding="UTF-8")
                return self._processor.new_xslt30_processor().compile_stylesheet(stylesheet_node=node)
        except self._error as exc:
            noise = self._captured.take()
            raise ConfigError(self._compile_message(f"{exc}\n{noise}")) from exc

    def _compile_message(self, text: str) -> str:
        found = _errors(text)
        if not found:
            return f"{self.path}: stylesheet does not compile: {' '.join(text.split())}"
        module, line, _ = found[0]
        detail = "; ".join(dict.fromkeys(message for _, _, message in found))
        where = self.path if self._modules.named(module) == self._modules.paths[0] else self._modules.named(module)
        return f"{where}:{line}: stylesheet does not compile: {detail}"

    def apply(self, doc: etree._Element | etree._ElementTree, params: Mapping[str, str]) -> Output:
        """Transform ``doc`` (from flowkit's parser); parameters are xs:untypedAtomic, as on Saxon's command line."""
        from lxml import etree

        if threading.get_ident() != self._thread:
            raise RuntimeError(f"{self.name}: a Saxon stylesheet runs only on the thread that compiled it")
        if self._bad_encoding is not None:
            raise TransformFailed(self._bad_encoding)
        tree = doc.getroottree() if isinstance(doc, etree._Element) else doc
        executable = self._executable
        executable.clear_parameters()  # a parameter set for the record before must not stay
        for name, value in params.items():
            executable.set_parameter(name, self._processor.make_atomic_value("untypedAtomic", value))
        try:
            with self._captured:
                node = self._processor.parse_xml(xml_text=etree.tostring(tree, encoding="unicode"), encoding="UTF-8")
                text = executable.transform_to_string(xdm_node=node)
        except self._error as exc:
            message = self._apply_message(str(exc), self._captured.take(), self._last_message())
            raise TransformFailed(message) from exc
        self._last_message()
        self._captured.take()  # warnings of a run that succeeded: dropped
        return self._output(text or "")

    def _last_message(self) -> str:
        """The text of the last xsl:message of the run (the terminating one when it failed), then forget them."""
        messages = self._executable.get_xsl_messages()
        if messages is None:
            return ""
        self._executable.clear_xsl_messages()
        return str(messages.item_at(messages.size - 1)) if messages.size else ""

    def _apply_message(self, message: str, noise: str, last: str) -> str:
        terminated = _TERMINATED.search(message)
        if terminated:
            module = os.path.basename((terminated.group(2) or "").rstrip("/"))
            return f"{self._where(module, int(terminated.group(1)))}{' '.join(last.split()) or message.strip()}"
        found = _errors(noise)
        detail = found[0][2] if found else " ".join(message.split())
        refused = _PROHIBITED.search(detail)
        if refused:
            detail = (
                f"reading {refused.group(1) or refused.group(2) + ':'} refused: the saxon engine reads no file or URL "
                "while it runs (xsl:include a lookup module from the stylesheet's folder, or pass --param values)"
            )
        return f"{self._where(found[0][0], found[0][1])}{detail}" if found else detail

    def _where(self, module: str, line: int) -> str:
        named = self._modules.named(module)
        return f"line {line}: " if named == self._modules.paths[0] else f"{named.name} line {line}: "

    def _output(self, text: str) -> Output:
        method = self.method or _default_method(text)
        media = self.media_type or MEDIA.get(method, "application/xml")
        encoding = self.encoding
        if encoding.lower() in _UTF8:
            return Output(text.encode("utf-8"), media, method, encoding)
        text = _redeclare(text, encoding)
        try:
            data = text.encode(encoding, errors="strict" if method in ("text", "json", "adaptive") else "xmlcharrefreplace")
        except UnicodeEncodeError as exc:
            raise TransformFailed(f"character {exc.object[exc.start]!r} cannot be written in {encoding} (SERE0008)") from exc
        return Output(data, media, method, encoding)


def _default_method(text: str) -> str:
    """The method Saxon chose when xsl:output names none: html for an un-namespaced <html> root, else xml."""
    head = text.lstrip()[:64].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) else "xml"


def _redeclare(text: str, encoding: str) -> str:
    """Name ``encoding`` where Saxon (told to write UTF-8) named UTF-8: the XML declaration, an HTML meta."""
    text = re.sub(r'^(<\?xml[^>]*encoding=")UTF-8(")', rf"\g<1>{encoding}\g<2>", text, count=1)
    return re.sub(r'(<meta [^>]*charset=)UTF-8(")', rf"\g<1>{encoding}\g<2>", text, count=1, flags=re.IGNORECASE)

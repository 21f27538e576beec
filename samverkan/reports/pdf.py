"""The committee document's PDF from its HTML (WeasyPrint): PDF/A-2b, tagged as PDF/UA-1.

Free of Django, so that `samverkan report ... --format pdf` can start its writer in a process of
its own before Django has started (`start_writer`, called by the command line): the writer imports
WeasyPrint (about a quarter of the command's CPU) on the machine's other core while the command
starts Django and computes the figures, then lays out the HTML it is sent and sends the PDF back.
The PDF is the same bytes as written in the command's own process (`write_pdf` without a writer
started, as in the web application and the tests).

What the command's time is not spent on (issue 19, measured in benchmarks/RESULTS.md): fontTools's
subsetter and instancer, which this document's fonts never need, in WeasyPrint's import; the
cyclic garbage collector, in the writer and in the command, each of which lives for one
document; and Python's collection of the whole command's garbage at its exit.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import logging
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import traceback
import types

PDF_VARIANT = "pdf/a-2b"
"""PDF/A-2b, as before, now tagged: and so also identified as PDF/UA-1 (see _AccessibleMetadata)."""

_PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# PDF/A allows only the XMP schemas it predefines unless the file describes the others: the
# PDF/UA identification schema, described as PDF/A-2 asks (ISO 19005-2, 6.6.2.3).
_PDFUA_EXTENSION = f"""<rdf:Description rdf:about="" xmlns:rdf="{_RDF_NS}"
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{_PDFUA_NS}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>The part of ISO 14289 followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def _accessible_metadata(metadata):  # noqa: ANN001, ANN202 - WeasyPrint's DocumentMetadata
    """WeasyPrint writes one identification (PDF/A or PDF/UA): the XMP packet gets the other,
    PDF/UA-1's, beside PDF/A-2b's, with the extension schema PDF/A requires for it."""
    from xml.etree.ElementTree import fromstring, register_namespace, tostring

    # PDF/A checkers read the extension schema by these very prefixes.
    for prefix, uri in (
        ("pdfuaid", _PDFUA_NS),
        ("pdfaExtension", "http://www.aiim.org/pdfa/ns/extension/"),
        ("pdfaSchema", "http://www.aiim.org/pdfa/ns/schema#"),
        ("pdfaProperty", "http://www.aiim.org/pdfa/ns/property#"),
    ):
        register_namespace(prefix, uri)

    base = type(metadata)

    class AccessibleMetadata(base):
        def generate_rdf_metadata(self, variant, version, conformance):  # noqa: ANN001, ANN202
            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            identification = rdf.find(f"{{{_RDF_NS}}}Description")
            identification.set(f"{{{_PDFUA_NS}}}part", "1")
            rdf.append(fromstring(_PDFUA_EXTENSION))
            return tostring(rdf, encoding="utf-8")

    metadata.__class__ = AccessibleMetadata
    return metadata


@contextlib.contextmanager
def _libraries_found_by_one_ldconfig():  # noqa: ANN202
    """WeasyPrint's import opens Pango, HarfBuzz and fontconfig by trying several names of each
    (for every platform): cffi looks each name up with `ctypes.util.find_library`, which on Linux
    runs `ldconfig -p` and then gcc and ld for each name not found, 54 programs in all, about
    0.45 s of CPU and more of waiting. While it imports, the names are looked up in one listing
    of `ldconfig -p`, as find_library's first step does; elsewhere, or without ldconfig, nothing
    changes."""
    import ctypes.util

    if sys.platform != "linux" or shutil.which("ldconfig", path="/sbin:/usr/sbin:/usr/bin") is None:
        yield
        return
    try:
        listing = subprocess.run(
            [shutil.which("ldconfig", path="/sbin:/usr/sbin:/usr/bin"), "-p"],
            env={"LC_ALL": "C", "LANG": "C"},
            capture_output=True,
            check=True,
            timeout=10,
        ).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        yield
        return
    # find_library's own pattern: the library's file name, then its ABI (libc6,x86-64, ...).
    machine = os.uname().machine + ("-64" if sys.maxsize > 2**32 else "-32")
    abi = {
        "x86_64-64": "libc6,x86-64",
        "ppc64-64": "libc6,64bit",
        "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit",
        "ia64-64": "libc6,IA-64",
    }.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}", listing)
        return found.group(1) if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


class _ImportedOnFirstUse(types.ModuleType):
    """A module's stand-in while WeasyPrint imports: the module itself is imported when one of
    its attributes is first read, and the functions named in `deferred` when first called."""

    def __init__(self, name: str, deferred: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        for function in deferred:
            setattr(self, function, self._on_call(function))

    def _module(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:  # used while still standing in
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def _on_call(self, function: str):  # noqa: ANN202
        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return getattr(self._module(), function)(*args, **kwargs)

        call.__name__ = function
        return call

    def __getattr__(self, name: str):  # noqa: ANN204
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._module(), name)


# What WeasyPrint imports from fontTools for fonts this document never has: it subsets fonts
# with HarfBuzz (fontTools.subset only without HarfBuzz's subsetter) and instantiates variable
# fonts only (DejaVu's are static). About 0.11 s of its import's 0.4 s of CPU.
_FONT_TOOLS_ON_FIRST_USE = {
    "fontTools.subset": (),
    "fontTools.varLib.instancer": ("instantiateVariableFont",),
}


@contextlib.contextmanager
def _font_tools_imported_on_first_use():  # noqa: ANN202
    """While WeasyPrint imports, fontTools's subsetter and variable-font instancer are stand-ins
    (`_ImportedOnFirstUse`) that import the real modules if WeasyPrint ever uses them; the
    stand-ins leave sys.modules afterwards, so that any other import gets the real module."""
    placed = {}
    for name, deferred in _FONT_TOOLS_ON_FIRST_USE.items():
        if name not in sys.modules:
            placed[name] = sys.modules[name] = _ImportedOnFirstUse(name, deferred)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _scope_table_headers(_document, pdf) -> None:  # noqa: ANN001 - WeasyPrint's, pydyf's
    """Each TH's Scope (Column in a table's head, Row in its body), which screen readers and
    PDF/UA checkers look for beside the Headers WeasyPrint gives the data cells."""

    def parent(element):  # noqa: ANN001, ANN202
        return pdf.objects[int(element["P"].split()[0])]

    for element in pdf.objects:
        if isinstance(element, dict) and element.get("S") == "/TH":
            group = parent(parent(element)).get("S")
            element["A"]["Scope"] = "/Column" if group == "/THead" else "/Row"


OPTIONS = {
    "pdf_variant": PDF_VARIANT,
    "pdf_tags": True,  # the structure tree: headings, lists, tables, figures, reading order
    "pdf_identifier": False,
    "uncompressed_pdf": False,
}


def _weasyprint_html():  # noqa: ANN202 - WeasyPrint's HTML class
    if "weasyprint" not in sys.modules:  # once: not `ldconfig -p` again at each call (5 ms)
        with _libraries_found_by_one_ldconfig(), _font_tools_imported_on_first_use():
            import weasyprint  # noqa: F401
    # WeasyPrint's CSS parser warns about every SVG presentation property (fill, stroke, ...)
    # of the inline charts, which its SVG renderer then uses all the same: noise, not news.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return sys.modules["weasyprint"].HTML


def _render(html: str, base_url: str) -> bytes:
    rendered = _weasyprint_html()(string=html, base_url=base_url).render(**OPTIONS)
    _accessible_metadata(rendered.metadata)
    return rendered.write_pdf(finisher=_scope_table_headers, **OPTIONS)


# The writer in a process of its own -------------------------------------------------------------

_writer: tuple[int, int, int] | None = None  # its process id, the pipe to it and from it
_HEADER = struct.Struct("!BQ")  # a status (0 the PDF, 1 a traceback) and the length that follows


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _serve(requests: int, answers: int) -> None:
    """The writer: WeasyPrint imported, then one document laid out and written, if one comes."""
    try:
        html_class = _weasyprint_html()
        del html_class
        size = _HEADER.unpack(_read_exactly(requests, _HEADER.size))[1]
        html, base_url = pickle.loads(_read_exactly(requests, size))  # noqa: S301 - our parent's
        status, answer = 0, _render(html, base_url)
    except EOFError:
        return  # the command needed no PDF after all (an error, another format)
    except BaseException:  # noqa: BLE001 - sent back: the command renders itself and raises
        status, answer = 1, traceback.format_exc().encode()
    _write_all(answers, _HEADER.pack(status, len(answer)) + answer)


def start_writer() -> None:
    """Start the PDF's writer in a process of its own (Linux only, where fork is safe this
    early: before Django, with no thread, connection or open file of the command's)."""
    global _writer  # noqa: PLW0603
    if _writer is not None or not sys.platform.startswith("linux"):
        return
    requests_read, requests_write = os.pipe()
    answers_read, answers_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer
        # It lives for one document and ends with os._exit: the cyclic collector's passes over
        # WeasyPrint's import and the document (some 250, about 0.1 s of CPU) free nothing it
        # needs, and its memory is the same (about 75 MB at most).
        gc.disable()
        os.close(requests_write)
        os.close(answers_read)
        code = 0
        try:
            _serve(requests_read, answers_write)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)  # never the command's own exit handlers, buffers or files
    os.close(requests_read)
    os.close(answers_write)
    _writer = (pid, requests_write, answers_read)
    # The command, too, is one document's: without the cyclic collector its start (Django's
    # import, some 150 passes) costs about 0.05-0.1 s less CPU, for the same memory.
    gc.disable()
    atexit.register(_end_without_collecting)  # atexit runs it last, after _stop_writer
    atexit.register(_stop_writer)


def _end_without_collecting() -> None:
    """The command's end, once its PDF is written: Python's own teardown collects the whole
    process's garbage several times over (about 0.2 s of CPU after the PDF is written, a tenth
    of the command); frozen, what is left is simply freed with the process. The SQLite
    connections the command keeps (samverkan.core.sqlite) are closed first, as the teardown
    would have closed them (and with them the database's write-ahead log)."""
    kept = sys.modules.get("samverkan.core.sqlite.base")
    if kept is not None:
        kept.forget_kept()
    gc.freeze()


def _stop_writer() -> None:
    """Close the pipes and wait for the writer, which ends when it sees no document coming."""
    global _writer  # noqa: PLW0603
    if _writer is None:
        return
    pid, requests, answers = _writer
    _writer = None
    for fd in (requests, answers):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def write_pdf(html: str, base_url: str) -> bytes:
    """The document's PDF: by the writer if the command line started one, else here."""
    if _writer is not None:
        _pid, requests, answers = _writer
        try:
            request = pickle.dumps((html, base_url))
            _write_all(requests, _HEADER.pack(0, len(request)) + request)
            status, size = _HEADER.unpack(_read_exactly(answers, _HEADER.size))
            answer = _read_exactly(answers, size)
        except (OSError, EOFError):
            status = 1  # the writer is gone: write the PDF here
        finally:
            _stop_writer()
        if status == 0:
            return answer
        # The writer failed: here again, so that the error (if it is one) is the command's own.
    return _render(html, base_url)

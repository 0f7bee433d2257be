"""JMeter JTL results in XML (`jmeter.save.saveservice.output_format=xml`) into a `load` evidence item.

The root is <testResults>; each sample is an element (<httpSample> for HTTP samplers, <sample> for the
others and for transaction controllers) whose attributes carry the numbers: `t` elapsed ms, `ts` start in
epoch ms, `s` success, `lb` label, `rm` response message, `na` all active threads (`lt`, `ct`, `rc`,
`by` … are not needed).

Counting rules, the same as the CSV collector's (see jmeter_jtl_csv.py):

- only the samples directly under <testResults> are counted. Nested samples (a redirect or embedded
  resource an HTTP sampler fetched, or the children of a transaction controller that generates a parent
  sample) are part of their parent's time and are not counted again, which is also what a CSV JTL of the
  same run holds;
- a sample with `s="false"` is a failure; a transaction controller's sample (its `rm` starts "Number of
  samples in transaction") is an endpoint of its own but left out of the totals, unless every sample is one.

The file is parsed with defusedxml's SAX parser (entity declarations and external references are refused)
and streamed: memory stays bounded whatever its size; response data saved in the file is never kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.sax import make_parser

from evaluator.collectors.interface import Collected, Collector
from evaluator.collectors.load.jmeter_jtl_csv import CONTROLLER_PREFIX, JtlAggregate
from evaluator.collectors.progress import reading
from evaluator.errors import InputError

_ROOT = "testResults"
_REQUIRED = ("t", "ts", "lb")


def _decode_head(head: bytes) -> str:
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")


class JMeterJtlXmlCollector(Collector):
    """JMeter JTL results in XML (<testResults> of <httpSample> / <sample>)."""

    format: ClassVar[str] = "jmeter-jtl-xml"
    kind: ClassVar[str] = "load"
    schema: ClassVar[str] = "load/v1"
    description: ClassVar[str] = "JMeter JTL results in XML (jmeter.save.saveservice.output_format=xml)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the first element of `head` is <testResults>."""
        text = _decode_head(head).lstrip()
        if text.startswith("<?xml"):
            text = text[text.find("?>") + 2 :].lstrip()
        while text.startswith(("<!--", "<?")):
            end = text.find("-->") + 3 if text.startswith("<!--") else text.find("?>") + 2
            if end < 3:
                return False
            text = text[end:].lstrip()
        return text.startswith(f"<{_ROOT}") and text[len(_ROOT) + 1 : len(_ROOT) + 2] in (" ", ">", "\n", "\t", "\r")

    def collect(self, path: Path) -> Collected:
        """Stream-parse the JTL at `path`; InputError naming line and column on anything malformed."""
        handler = _SampleHandler(path)
        parser = make_parser()
        parser.setContentHandler(handler)
        try:
            with open(path, "rb") as fh, reading(path, fh):
                parser.parse(fh)
        except SAXParseException as exc:
            line, column = exc.getLineNumber(), exc.getColumnNumber()
            reason = exc.getMessage()
            if handler.root_seen and reason in ("no element found", "unclosed token"):
                reason = "the file ends before </testResults> (truncated, or JMeter still running?)"
            elif not handler.root_seen and reason == "no element found":
                raise InputError(path, "file is empty, expected a JMeter JTL XML file") from None
            col = column + 1 if isinstance(column, int) else None
            raise InputError(path, f"malformed XML: {reason}", line if isinstance(line, int) else None, col) from None
        except EntitiesForbidden as exc:
            raise InputError(path, f"refused: the XML declares the entity {exc.name!r}") from None
        except ExternalReferenceForbidden as exc:
            raise InputError(path, f"refused: the XML references an external resource {exc.sysid!r}") from None
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except IsADirectoryError:
            raise InputError(path, "is a directory, expected a JMeter JTL XML file") from None
        except OSError as exc:
            raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
        if not handler.aggregate.samples:
            raise InputError(path, "the JTL holds no samples")
        return handler.aggregate.collected()


class _SampleHandler(ContentHandler):
    """Counts the top-level samples into a JtlAggregate."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.aggregate = JtlAggregate()
        self.root_seen = False
        self._depth = 0
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        """Remember the locator, to place errors."""
        self._locator = locator

    def _error(self, message: str) -> InputError:
        line = self._locator.getLineNumber() if self._locator is not None else None
        column = self._locator.getColumnNumber() if self._locator is not None else None
        return InputError(self.path, message, line, column + 1 if isinstance(column, int) else None)

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        """Count a sample directly under the root; check the root."""
        depth = self._depth
        self._depth += 1
        if depth == 0:
            if name != _ROOT:
                raise self._error(f"not a JMeter JTL XML file: the root element is <{name}>, expected <{_ROOT}>")
            self.root_seen = True
            return
        if depth != 1 or ("lb" not in attrs and "t" not in attrs):
            return
        for attribute in _REQUIRED:
            if attribute not in attrs:
                raise self._error(f"<{name}> has no {attribute!r} attribute")
        elapsed = self._integer(attrs["t"], "t")
        stamp = self._integer(attrs["ts"], "ts")
        threads = self._integer(attrs["na"], "na") if "na" in attrs else None
        success = attrs.get("s", "true")
        if success not in ("true", "false"):
            raise self._error(f"s is {success[:40]!r}, expected true or false")
        label = attrs["lb"]
        if attrs.get("rm", "").startswith(CONTROLLER_PREFIX):
            self.aggregate.controllers.add(label)
        self.aggregate.add_sample(label, elapsed, success == "false", stamp, threads)

    def endElement(self, name: str) -> None:
        """Leave an element."""
        self._depth -= 1

    def _integer(self, text: str, attribute: str) -> int:
        value = text.strip()
        if not value.isdigit():
            raise self._error(f"{attribute} is {value[:40]!r}, expected a whole number")
        return int(value)

"""What the app writes while a test runs: its JSON log lines and EMF metrics
(on stdout, as in Lambda) and every record any library logs at INFO or above,
kept raw (before the app's redaction) so a test can tell whether the code
itself logged a value or only the filter hid it."""
import json
import logging

from chalicelib.platform import logs


class Capture:
    def __init__(self, capsys, records):
        self._capsys = capsys
        self.records = records
        self._out = ""

    def _read(self):
        self._out += self._capsys.readouterr().out
        return self._out

    @property
    def written(self):
        """Every line written on stdout, as text."""
        return self._read().splitlines()

    def json_lines(self):
        lines = []
        for line in self.written:
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
        return lines

    def log_lines(self, message=None):
        return [line for line in self.json_lines()
                if "_aws" not in line and (message is None or line.get("message") == message)]

    def metrics(self):
        """{(metric name, dimensions as sorted tuple): total} over every EMF line."""
        totals = {}
        for line in self.json_lines():
            for directive in (line.get("_aws") or {}).get("CloudWatchMetrics", []):
                dimensions = tuple(sorted((name, line[name]) for group in directive["Dimensions"] for name in group))
                for metric in directive["Metrics"]:
                    key = (metric["Name"], dimensions)
                    totals[key] = totals.get(key, 0) + sum(line[metric["Name"]])
        return totals

    def raw_texts(self):
        """Each captured record as everything it carries: message, extra
        fields and the formatted exception."""
        formatter = logging.Formatter()
        texts = []
        for record in self.records:
            fields = {key: value for key, value in vars(record).items()
                      if key not in ("msg", "args", "exc_info", "exc_text")}
            text = record.getMessage() + " " + json.dumps(fields, default=str)
            if record.exc_info:
                text += " " + formatter.formatException(record.exc_info)
            texts.append(text)
        return texts

    def leaks(self, secrets):
        """(secret, where) for every secret found in a written line or a raw record."""
        found = []
        written = "\n".join(self.written)
        for secret in secrets:
            if secret in written:
                found.append((secret, "written"))
            for text in self.raw_texts():
                if secret in text:
                    found.append((secret, "logged: " + text[:200]))
                    break
        return found


class _Keep(logging.Handler):
    def __init__(self, records):
        super().__init__(level=logging.INFO)
        self._records = records

    def emit(self, record):
        self._records.append(record)


def capture(capsys):
    """A context manager: yields a Capture; the handlers come off afterwards."""
    import contextlib

    @contextlib.contextmanager
    def capturing():
        logs.get()  # the app's logger exists (and writes to the current stdout)
        records = []
        handler = _Keep(records)
        root, app_logger = logging.getLogger(), logging.getLogger(logs.LOGGER)
        level = root.level
        root.setLevel(logging.INFO)
        root.addHandler(handler)
        app_logger.addHandler(handler)  # it does not propagate to the root
        capsys.readouterr()
        try:
            yield Capture(capsys, records)
        finally:
            root.removeHandler(handler)
            app_logger.removeHandler(handler)
            root.setLevel(level)
    return capturing()

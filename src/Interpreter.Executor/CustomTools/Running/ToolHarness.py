# ComputeSandbox custom-tool harness. It runs inside the sandbox as the execution's source, followed by one line
# `_run("<base64 payload>")`; nothing from the request is ever spliced into Python code.
#
# The payload (JSON) carries the tool's source, the function's name, each parameter's type plan, the input JSON
# (already validated against the schema by the control plane) and a per-request marker. The harness
#   1. points fd 1 and sys.stdout at stderr, so whatever the tool prints (print, os.write(1, ...), subprocesses)
#      cannot mix with the result;
#   2. runs the tool's module as its own module "__tool__" (not "__main__", so an `if __name__ == "__main__":`
#      demo block does not run), with its lines in linecache so tracebacks show them;
#   3. converts the arguments to the annotated types (datetime/date/time from ISO 8601, timedelta from an ISO 8601
#      duration, bytes from base64, Path, tuple, set, frozenset, nested containers, unions by first match);
#   4. calls the function (awaiting it if it is async) and writes json.dumps(result) between two copies of the
#      marker to the original stdout. datetimes become ISO strings, sets/tuples arrays, Path a string.
# A failure prints a traceback that starts in the tool's code (or a message) to stderr and exits with status 1.


def _run(payload_b64):
    import asyncio
    import base64
    import binascii
    import dataclasses
    import datetime
    import decimal
    import enum
    import inspect
    import json
    import linecache
    import os
    import pathlib
    import re
    import sys
    import traceback
    import types

    payload = json.loads(base64.b64decode(payload_b64).decode("utf-8"))
    tool_file = "<tool>"

    sys.stdout.flush()
    result_fd = os.dup(1)
    os.dup2(2, 1)

    duration_pattern = re.compile(
        r"^([-+])?P(?!$)(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
        r"(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$")

    class ArgumentError(Exception):
        pass

    def fail(message):
        print(message, file=sys.stderr)
        sys.stderr.flush()
        raise SystemExit(1)

    def print_tool_traceback(exc):
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != tool_file:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        sys.stderr.flush()

    def number(text):
        return float(text.replace(",", "."))

    def parse_duration(text):
        match = duration_pattern.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not an ISO 8601 duration such as 'P1DT2H30M'")
        sign, weeks, days, hours, minutes, seconds = match.groups()
        value = datetime.timedelta(
            weeks=number(weeks or "0"), days=number(days or "0"), hours=number(hours or "0"),
            minutes=number(minutes or "0"), seconds=number(seconds or "0"))
        return -value if sign == "-" else value

    def iso_duration(value):
        micros = value // datetime.timedelta(microseconds=1)
        sign = "-" if micros < 0 else ""
        micros = abs(micros)
        days, micros = divmod(micros, 86_400_000_000)
        hours, micros = divmod(micros, 3_600_000_000)
        minutes, micros = divmod(micros, 60_000_000)
        seconds, micros = divmod(micros, 1_000_000)
        clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        if micros:
            clock += f"{seconds}.{micros:06d}".rstrip("0") + "S"
        elif seconds:
            clock += f"{seconds}S"
        text = sign + "P" + (f"{days}D" if days else "") + (("T" + clock) if clock else "")
        return text if text not in ("P", "-P") else "PT0S"

    def parse_iso(kind, text):
        if not isinstance(text, str):
            raise ValueError(f"expected an ISO 8601 string, got {type(text).__name__}")
        # Python before 3.11 did not take a trailing Z.
        zulu = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
        if kind == "datetime":
            return datetime.datetime.fromisoformat(zulu)
        if kind == "date":
            return datetime.date.fromisoformat(text)
        if kind == "time":
            return datetime.time.fromisoformat(zulu)
        return parse_duration(text)

    def accepts(plan, value):
        t = plan["t"]
        try:
            if t == "any":
                return True
            if t == "null":
                return value is None
            if t in ("str", "path"):
                return isinstance(value, str)
            if t == "int":
                return isinstance(value, int) and not isinstance(value, bool)
            if t == "float":
                return isinstance(value, (int, float)) and not isinstance(value, bool)
            if t == "bool":
                return isinstance(value, bool)
            if t == "bytes":
                base64.b64decode(value, validate=True)
                return isinstance(value, str)
            if t in ("datetime", "date", "time", "duration"):
                parse_iso(t, value)
                return True
            if t == "literal":
                return any(type(v) is type(value) and v == value for v in plan["values"])
            if t in ("list", "set", "frozenset", "vartuple"):
                return isinstance(value, list) and all(accepts(plan["of"], v) for v in value)
            if t == "tuple":
                return (isinstance(value, list) and len(value) == len(plan["items"])
                        and all(accepts(p, v) for p, v in zip(plan["items"], value)))
            if t == "dict":
                return isinstance(value, dict) and all(accepts(plan["of"], v) for v in value.values())
            if t == "union":
                return any(accepts(option, value) for option in plan["options"])
        except (ValueError, TypeError, binascii.Error):
            return False
        return False

    def convert(plan, value, where):
        t = plan["t"]
        try:
            if t in ("any", "null", "str", "int", "bool", "literal"):
                return value
            if t == "float":
                return float(value)
            if t == "path":
                return pathlib.Path(value)
            if t == "bytes":
                return base64.b64decode(value, validate=True)
            if t in ("datetime", "date", "time", "duration"):
                return parse_iso(t, value)
            if t == "list":
                return [convert(plan["of"], v, f"{where}[{i}]") for i, v in enumerate(value)]
            if t == "vartuple":
                return tuple(convert(plan["of"], v, f"{where}[{i}]") for i, v in enumerate(value))
            if t == "set":
                return {convert(plan["of"], v, f"{where}[{i}]") for i, v in enumerate(value)}
            if t == "frozenset":
                return frozenset(convert(plan["of"], v, f"{where}[{i}]") for i, v in enumerate(value))
            if t == "tuple":
                return tuple(convert(p, v, f"{where}[{i}]") for i, (p, v) in enumerate(zip(plan["items"], value)))
            if t == "dict":
                return {k: convert(plan["of"], v, f"{where}.{k}") for k, v in value.items()}
            if t == "union":
                for option in plan["options"]:
                    if accepts(option, value):
                        return convert(option, value, where)
                raise ValueError("the value matches none of the annotated types")
        except ArgumentError:
            raise
        except (ValueError, TypeError, binascii.Error) as e:
            raise ArgumentError(f"Invalid value for parameter '{where}': {e}") from None
        raise ArgumentError(f"Invalid value for parameter '{where}': unknown type plan {t!r}")

    def to_json(value):
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, datetime.timedelta):
            return iso_duration(value)
        if isinstance(value, (set, frozenset)):
            try:
                return sorted(value)
            except TypeError:
                return list(value)
        if isinstance(value, pathlib.PurePath):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, decimal.Decimal):
            return float(value)
        if isinstance(value, enum.Enum):
            return value.value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        if hasattr(value, "model_dump"):
            return value.model_dump(mode="json")
        if hasattr(value, "tolist"):
            return value.tolist()
        raise TypeError(f"a value of type {type(value).__qualname__} cannot be represented as JSON")

    source = payload["source"]
    linecache.cache[tool_file] = (len(source), None, source.splitlines(True), tool_file)
    module = types.ModuleType("__tool__")
    sys.modules["__tool__"] = module
    try:
        exec(compile(source, tool_file, "exec", dont_inherit=True), module.__dict__)
    except SystemExit as e:
        fail(f"The tool's module called sys.exit({e.code!r}) while loading.")
    except BaseException as e:
        print_tool_traceback(e)
        raise SystemExit(1)

    function = module.__dict__.get(payload["function"])
    if not callable(function):
        fail(f"The tool's module does not define a function named {payload['function']!r} once it has run.")

    arguments = json.loads(payload["input"])
    kwargs = {}
    for parameter in payload["parameters"]:
        name = parameter["name"]
        if name in arguments:
            try:
                kwargs[name] = convert(parameter["type"], arguments[name], name)
            except ArgumentError as e:
                fail(str(e))

    async def wait_for(awaitable):
        return await awaitable

    try:
        result = function(**kwargs)
        if inspect.isawaitable(result):
            result = asyncio.run(wait_for(result))
    except SystemExit as e:
        fail(f"The tool called sys.exit({e.code!r}) instead of returning a value.")
    except BaseException as e:
        print_tool_traceback(e)
        raise SystemExit(1)

    try:
        text = json.dumps(result, default=to_json, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as e:
        fail(f"The tool's return value cannot be converted to JSON: {e}")

    sys.stdout.flush()
    sys.stderr.flush()
    data = memoryview((payload["marker"] + text + payload["marker"] + "\n").encode("utf-8"))
    while data:
        data = data[os.write(result_fd, data):]
    os.close(result_fd)

"""OData v2 `$filter` (and `$skiptoken`) expressions translated to SQLite, values bound.

Supported: `eq ne gt ge lt le`, `and or not`, parentheses, string literals ('O''Neil'),
integers, `true false null`, `datetime'2025-01-31T00:00:00'`, and the functions
`startswith(P, 's')`, `endswith(P, 's')`, `substringof('s', P)`, `tolower(P)`, `toupper(P)`,
`trim(P)`. Property names must be properties of the entity set (case-sensitive, as in OData);
anything else is an `ODataError` (400) naming the problem.

Filters longer than MAX_TERMS comparisons are refused: SQLite parses `a OR b OR ...` into a tree
as deep as the chain, and a real service refuses such URLs long before (IIS's URL limits).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

MAX_TERMS = 400
MAX_DEPTH = 40

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<datetime>datetime'[^']*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)[LlMmDdFf]?(?![A-Za-z0-9_])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<punct>[(),=])
    )""",
    re.VERBOSE,
)
_OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_STRING_FUNCTIONS = {"tolower": "LOWER", "toupper": "UPPER", "trim": "TRIM"}
_BOOL_FUNCTIONS = ("startswith", "endswith", "substringof")


class ODataError(Exception):
    """A request the service refuses; `status` is the HTTP status, `str()` the message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Token:
    kind: str  # datetime | string | number | name | punct | end
    text: str


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    text = text.rstrip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise ODataError(400, f"Syntax error at position {at} in '{text}'.")
        kind = match.lastgroup or "punct"
        tokens.append(Token(kind, match.group(kind)))
        at = match.end()
    tokens.append(Token("end", ""))
    return tokens


def literal_value(token: Token) -> object:
    """The Python value of a literal token (for SQL parameters)."""
    if token.kind == "string":
        return token.text[1:-1].replace("''", "'")
    if token.kind == "number":
        return float(token.text) if "." in token.text else int(token.text)
    if token.kind == "datetime":
        raw = token.text[len("datetime'") : -1]
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ODataError(400, f"Unrecognized 'Edm.DateTime' literal '{raw}'.") from None
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")
    if token.kind == "name" and token.text in ("true", "false"):
        return token.text == "true"
    if token.kind == "name" and token.text == "null":
        return None
    raise ODataError(400, f"Expected a literal, found '{token.text}'.")


def _is_literal(token: Token) -> bool:
    return token.kind in ("string", "number", "datetime") or (
        token.kind == "name" and token.text in ("true", "false", "null")
    )


@dataclass
class _Operand:
    sql: str
    is_null: bool = False
    boolean: bool = False


class FilterParser:
    """Parses one filter into (`sql`, named `params`); `column(name)` maps a property to its SQL or
    returns None for an unknown property; `boolean(name)` tells an Edm.Boolean property."""

    def __init__(
        self,
        type_name: str,
        column: Callable[[str], str | None],
        boolean: Callable[[str], bool],
    ) -> None:
        self.type_name = type_name
        self.column = column
        self.boolean = boolean
        self.params: dict[str, object] = {}
        self.terms = 0
        self.depth = 0
        self.tokens: list[Token] = []
        self.at = 0

    def parse(self, text: str) -> tuple[str, dict[str, object]]:
        """(SQL, named parameters `:f1`, `:f2`, ...); a literal may appear twice in the SQL."""
        self.tokens = tokenize(text)
        self.at = 0
        if self.tokens[0].kind == "end":
            raise ODataError(400, "The $filter expression is empty.")
        sql = self._or()
        if self._peek().kind != "end":
            raise ODataError(400, f"Syntax error near '{self._peek().text}' in $filter.")
        return sql, self.params

    # -- helpers -------------------------------------------------------------------------------
    def _peek(self) -> Token:
        return self.tokens[self.at]

    def _next(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token.kind == "name" and token.text == word:
            self.at += 1
            return True
        return False

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise ODataError(400, f"Expected '{text}' in $filter, found '{token.text}'.")

    def _property(self, name: str) -> str:
        sql = self.column(name)
        if sql is None:
            raise ODataError(400, f"No property '{name}' exists in type '{self.type_name}'.")
        return sql

    def _bind(self, value: object) -> str:
        name = f"f{len(self.params) + 1}"
        self.params[name] = value
        return ":" + name

    # -- grammar -------------------------------------------------------------------------------
    def _or(self) -> str:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ODataError(400, "The $filter expression is nested too deeply.")
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        self.depth -= 1
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._not()]
        while self._keyword("and"):
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _not(self) -> str:
        if self._keyword("not"):
            return f"(NOT {self._not()})"
        return self._comparison()

    def _comparison(self) -> str:
        left = self._operand()
        token = self._peek()
        if token.kind == "name" and token.text in _OPERATORS:
            self.at += 1
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise ODataError(400, f"The $filter has more than {MAX_TERMS} comparisons.")
            right = self._operand()
            op = _OPERATORS[token.text]
            if left.is_null or right.is_null:
                other = right if left.is_null else left
                if op not in ("=", "<>"):
                    raise ODataError(400, "Only 'eq' and 'ne' can compare with null.")
                return f"({other.sql} IS {'NOT ' if op == '<>' else ''}NULL)"
            return f"({left.sql} {op} {right.sql})"
        if not left.boolean:
            raise ODataError(400, "The $filter expression is not a Boolean expression.")
        return f"({left.sql} = 1)" if not left.sql.startswith("(") else left.sql

    def _operand(self) -> _Operand:
        token = self._peek()
        if token.kind == "punct" and token.text == "(":
            self.at += 1
            sql = self._or()
            self._expect(")")
            return _Operand(sql, boolean=True)
        if _is_literal(token):
            self.at += 1
            value = literal_value(token)
            if value is None:
                return _Operand("NULL", is_null=True)
            return _Operand(self._bind(value))
        if token.kind == "end":
            raise ODataError(400, "The $filter ends where a value was expected.")
        if token.kind != "name":
            raise ODataError(400, f"Syntax error near '{token.text}' in $filter.")
        self.at += 1
        if self._peek().text == "(":
            return self._function(token.text)
        return _Operand(self._property(token.text), boolean=self.boolean(token.text))

    def _function(self, name: str) -> _Operand:
        self._expect("(")
        args = [self._operand()]
        while self._peek().text == ",":
            self.at += 1
            args.append(self._operand())
        self._expect(")")
        if name in _STRING_FUNCTIONS and len(args) == 1:
            return _Operand(f"{_STRING_FUNCTIONS[name]}({args[0].sql})")
        if name in _BOOL_FUNCTIONS and len(args) == 2:
            self.terms += 1
            if name == "substringof":
                needle, hay = args
                return _Operand(f"(instr({hay.sql}, {needle.sql}) > 0)", boolean=True)
            hay, needle = args
            if name == "startswith":
                return _Operand(f"(substr({hay.sql}, 1, length({needle.sql})) = {needle.sql})",
                                boolean=True)  # fmt: skip
            return _Operand(f"(substr({hay.sql}, -length({needle.sql})) = {needle.sql})",
                            boolean=True)  # fmt: skip
        raise ODataError(400, f"Unknown function '{name}' with {len(args)} arguments.")


def parse_literals(text: str) -> list[object]:
    """A comma-separated list of literals (the keys of a $skiptoken)."""
    tokens = tokenize(text)
    values: list[object] = []
    at = 0
    while True:
        token = tokens[at]
        if not _is_literal(token):
            raise ODataError(400, f"The skip token '{text}' is not valid.")
        values.append(literal_value(token))
        at += 1
        if tokens[at].kind == "end":
            return values
        if tokens[at].text != ",":
            raise ODataError(400, f"The skip token '{text}' is not valid.")
        at += 1

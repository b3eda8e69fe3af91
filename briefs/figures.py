"""Human-readable figures: 700000000 USD -> "$700 million", 58 % -> "58%"."""

from decimal import Decimal

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥"}
SCALES = [
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
]


def _plain(value: Decimal, places=1) -> str:
    """1234 -> "1,234"; 2.50 -> "2.5"; at most ``places`` decimals, trailing zeros dropped."""
    quantised = round(value, places)
    text = f"{quantised:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def scale(value: Decimal) -> tuple[Decimal, str]:
    """The value in millions, billions or trillions when large enough, and the word."""
    for factor, word in SCALES:
        if abs(value) >= factor:
            return value / factor, word
    return value, ""


def format_figure(value, unit: str) -> str:
    value = Decimal(value)
    unit = (unit or "").strip()
    if unit == "%":
        return f"{_plain(value)}%"
    scaled, word = scale(value)
    number = _plain(scaled) + (f" {word}" if word else "")
    symbol = CURRENCY_SYMBOLS.get(unit.upper())
    if symbol:
        return f"{symbol}{number}"
    if unit.lower() in {"", "count", "number"}:
        return number
    return f"{number} {unit}"


def axis_unit(unit: str) -> str:
    """How the unit reads on a chart axis: "USD" -> "US dollars", "%" -> "per cent"."""
    return {"USD": "US dollars", "%": "per cent", "count": "number"}.get(unit, unit)

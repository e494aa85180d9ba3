"""Policy rule sets (``policy_rules.csv``): the thresholds of the 2025 notice and provincial variants."""

from __future__ import annotations

from dataclasses import dataclass

from gpdc.errors import DataTableError
from gpdc.scenario.tables.core import keys, opt_float, row

__all__ = ["SELF_USE_METERING", "PolicyRule", "policy_rule", "policy_rule_sets"]

#: Where the self-use share's numerator is metered: ``plant`` (the energy that left the plants
#: for self-use, before the dedicated line's loss) or ``user_bus`` (where it is used).
SELF_USE_METERING: tuple[str, ...] = ("plant", "user_bus")


@dataclass(frozen=True)
class PolicyRule:
    """GPDC thresholds of one rule set (all shares are fractions, 0.6 not 60).

    Attributes
    ----------
    rule_set : str
        Key, e.g. ``"national_2025"``.
    min_self_use_frac : float
        Minimum yearly self-consumed new energy / total available generation [1].
    min_green_share_of_load_frac : float
        Minimum yearly self-consumed new energy / total consumption of the user [1].
    max_export_frac : float or None
        Maximum yearly grid feed-in / total available generation [1]; None where the rule
        sets no cap.
    description : str
        The rule in words.
    source : str
        Document number(s) and URL(s), separated by ``" ; "``.
    confidence : str
        One of :data:`gpdc.scenario.tables.core.CONFIDENCE_LEVELS` (of the self-use and green-share thresholds;
        ``export_cap_confidence`` is that of ``max_export_frac``).
    note : str
        Which values are weaker or stronger than ``confidence`` and other caveats.
    export_cap_confidence : str
        The confidence of ``max_export_frac``.
    self_use_metering : str
        Where the self-use share's numerator is metered, one of :data:`SELF_USE_METERING`.
    date : str
        Date of the document the thresholds come from (``YYYY-MM-DD``).
    """

    rule_set: str
    min_self_use_frac: float
    min_green_share_of_load_frac: float
    max_export_frac: float | None
    description: str
    source: str
    confidence: str
    note: str = ""
    export_cap_confidence: str = ""
    date: str = ""
    self_use_metering: str = "user_bus"


def policy_rule_sets() -> list[str]:
    """Return the keys of ``policy_rules.csv``, sorted.

    Returns
    -------
    list of str
        Rule-set names, e.g. ``["hunan_853", "multi_user_2026", "national_2025", ...]``.
    """
    return keys("policy_rules", "rule_set")


def policy_rule(rule_set: str) -> PolicyRule:
    """Return the GPDC thresholds of one rule set.

    Parameters
    ----------
    rule_set : str
        Key in ``policy_rules.csv``, e.g. ``"national_2025"``.

    Returns
    -------
    PolicyRule
        Thresholds as fractions [1] with their provenance.

    Raises
    ------
    DataTableError
        If ``rule_set`` is unknown; the message lists the valid keys.
    """
    r = row("policy_rules", "rule_set", rule_set, "policy rule set")
    metering = str(r["self_use_metering"])
    if metering not in SELF_USE_METERING:
        raise DataTableError(f"policy_rules.csv row {rule_set}, column 'self_use_metering': {metering!r} is not one "
                             f"of {', '.join(SELF_USE_METERING)}")
    return PolicyRule(
        rule_set=str(r["rule_set"]),
        min_self_use_frac=float(r["min_self_use_frac"]),
        min_green_share_of_load_frac=float(r["min_green_share_of_load_frac"]),
        max_export_frac=opt_float(float(r["max_export_frac"])),
        description=str(r["description"]),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        export_cap_confidence=str(r["export_cap_confidence"]),
        date=str(r["date"]),
        self_use_metering=metering,
    )



"""Provinces and grid areas (``provinces.csv``): tariff adders, TOU schedule, emission regions."""

from __future__ import annotations

from dataclasses import dataclass

from gpdc.scenario.tables.core import keys, opt_float, opt_str, row

__all__ = ["Province", "province", "province_bounds", "province_keys", "reference_site", "tou_schedules_of"]


@dataclass(frozen=True)
class Province:
    """Per-province (or per-grid-area) tariff adders, TOU schedule and regions.

    Empty cells of the table are ``None``; the caller decides what to use then.

    Attributes
    ----------
    province : str
        Key, e.g. ``"inner_mongolia_west"``.
    name_zh : str
        Chinese name.
    tou_schedule : str or None
        Name of the schedule in ``tou_schedules.csv``; None where no ratio is known.
    coal_benchmark_yuan_per_mwh : float or None
        Coal-fired benchmark on-grid price [yuan/MWh].
    td_energy_110kv_yuan_per_mwh : float or None
        Two-part T&D energy rate at 110 kV [yuan/MWh].
    funds_yuan_per_mwh : float or None
        Government funds and surcharges [yuan/MWh].
    system_operation_yuan_per_mwh : float or None
        System-operation fee per kWh drawn [yuan/MWh]; illustrative where given.
    line_loss_rate_frac : float or None
        Generation-side (上网环节) line-loss rate of the provincial grid [1].
    emission_region : str or None
        Region key of the ``provincial`` rows of ``emission_factors.csv``; None where no
        provincial factor was found.
    emission_regional_grid : str or None
        Region key of the ``regional`` rows of ``emission_factors.csv``.
    solar_noon_beijing_time : str or None
        Solar noon in Beijing time, ``"HH:MM"``, from longitude only.
    source : str
        Sources of the row, separated by ``" ; "``.
    confidence : str
        One of :data:`gpdc.scenario.tables.core.CONFIDENCE_LEVELS` (the weakest value of the row).
    note : str
        Per-value confidence and caveats.
    """

    province: str
    name_zh: str
    tou_schedule: str | None
    coal_benchmark_yuan_per_mwh: float | None
    td_energy_110kv_yuan_per_mwh: float | None
    funds_yuan_per_mwh: float | None
    system_operation_yuan_per_mwh: float | None
    line_loss_rate_frac: float | None
    emission_region: str | None
    emission_regional_grid: str | None
    solar_noon_beijing_time: str | None
    source: str
    confidence: str
    note: str = ""

    @property
    def solar_noon_hours(self) -> float | None:
        """Solar noon as decimal hours of Beijing time [h], e.g. 12.55; None if unknown."""
        if self.solar_noon_beijing_time is None:
            return None
        hh, mm = self.solar_noon_beijing_time.split(":")
        return int(hh) + int(mm) / 60.0


def province_keys() -> list[str]:
    """Return the keys of ``provinces.csv``, sorted.

    Returns
    -------
    list of str
        Province / grid-area keys, e.g. ``["gansu", "guangdong", ...]``.
    """
    return keys("provinces", "province")


def province(key: str) -> Province:
    """Return the tariff adders, TOU schedule and regions of one province.

    Parameters
    ----------
    key : str
        Key in ``provinces.csv``, e.g. ``"inner_mongolia_west"``.

    Returns
    -------
    Province
        Prices in [yuan/MWh]; empty cells are None.

    Raises
    ------
    DataTableError
        If ``key`` is unknown; the message lists the valid keys.
    """
    r = row("provinces", "province", key, "province")
    return Province(
        province=str(r["province"]),
        name_zh=str(r["name_zh"]),
        tou_schedule=opt_str(str(r["tou_schedule"])),
        coal_benchmark_yuan_per_mwh=opt_float(float(r["coal_benchmark_yuan_per_mwh"])),
        td_energy_110kv_yuan_per_mwh=opt_float(float(r["td_energy_110kv_yuan_per_mwh"])),
        funds_yuan_per_mwh=opt_float(float(r["funds_yuan_per_mwh"])),
        system_operation_yuan_per_mwh=opt_float(float(r["system_operation_yuan_per_mwh"])),
        line_loss_rate_frac=opt_float(float(r["line_loss_rate_frac"])),
        emission_region=opt_str(str(r["emission_region"])),
        emission_regional_grid=opt_str(str(r["emission_regional_grid"])),
        solar_noon_beijing_time=opt_str(str(r["solar_noon_beijing_time"])),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
    )




def province_bounds(key: str) -> tuple[float, float, float, float]:
    """Return the approximate extent of a province: (lat_min, lat_max, lon_min, lon_max) [degree].

    A generous box from ``province_bounds.csv`` for a plausibility check, not a border.

    Raises
    ------
    DataTableError
        If ``key`` is unknown.
    """
    r = row("province_bounds", "province", key, "province")
    return (float(r["lat_min_deg"]), float(r["lat_max_deg"]), float(r["lon_min_deg"]), float(r["lon_max_deg"]))


def tou_schedules_of(key: str) -> set[str]:
    """Return the TOU schedules that belong to a province: its provinces.csv row's and its tariffs' (and ``flat``)."""
    from gpdc.scenario.tables.core import load_table

    out = {"flat"}
    p = province(key)
    if p.tou_schedule:
        out.add(p.tou_schedule)
    tariffs = load_table("tariffs")
    own = tariffs[(tariffs["tariff"] == key) & (tariffs["field"] == "tou_schedule")]
    out.update(str(v) for v in own["value"])
    return out


def reference_site(key: str) -> tuple[str, float, float, float, str]:
    """Return a province's reference site for a new scenario: (name, latitude, longitude [degree], elevation [m], source).

    Raises
    ------
    DataTableError
        If ``key`` is unknown.
    """
    r = row("province_bounds", "province", key, "province")
    return (str(r["ref_site"]), float(r["ref_latitude_deg"]), float(r["ref_longitude_deg"]),
            float(r["ref_elevation_m"]), f"province_bounds.csv row {key}: {r['source']} ({r['confidence']})")

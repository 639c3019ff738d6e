"""A generator of realistic cities for tests and benchmarks.

A city is a set of neighbourhoods (Gaussian clusters) scattered around a centre; each of a dozen groups looks after
a few neighbourhoods. Demand and supply are both clustered, but not in the same places in the same proportions (some
neighbourhoods ask more than they give). Eight categories with skewed frequencies, urgency about 10/20/40/30 %
(critical/high/normal/low), need radii 2-6 km, offer radii 3-12 km, and about 1 % of records with no radius.

The city's extent grows with the square root of its size so the density (and so the number of compatible pairs per
need) stays about the same: the M city (10,000 needs, 5,000 offers) has about 1.5 million compatible pairs.

    generate(n_needs, n_offers, seed=0) -> {"needs": [...], "offers": [...], "policy": {}}
"""
from __future__ import annotations

import math

import numpy as np

CATEGORIES = ("food", "groceries", "transport", "medicine-pickup", "childcare", "hygiene", "clothing", "housing")
CATEGORY_FREQUENCIES = (0.27, 0.20, 0.15, 0.12, 0.10, 0.07, 0.05, 0.04)
URGENCIES = ("critical", "high", "normal", "low")
URGENCY_FREQUENCIES = (0.10, 0.20, 0.40, 0.30)
N_GROUPS = 12
CENTRE = (40.4168, -3.7038)
SIZES = {"S": (400, 200), "M": (10_000, 5_000), "L": (60_000, 30_000)}
# Extent (km, standard deviation of the neighbourhood centres) of the M city; tuned for ~1.5 M compatible pairs.
M_SPREAD_KM = 4.5


def generate(n_needs: int, n_offers: int, *, seed: int = 0, spread_km: float | None = None,
             no_radius_share: float = 0.01) -> dict:
    rng = np.random.default_rng(seed)
    if spread_km is None:
        spread_km = M_SPREAD_KM * math.sqrt(max(n_needs, 1) / 10_000)
    n_hoods = max(4, int(round(36 * math.sqrt(max(n_needs, 1) / 10_000))))
    hood_xy = rng.normal(0.0, spread_km, size=(n_hoods, 2))
    hood_sd = rng.uniform(0.8, 2.5, size=n_hoods) * max(1.0, spread_km / M_SPREAD_KM) ** 0.25
    hood_group = np.arange(n_hoods) % N_GROUPS
    rng.shuffle(hood_group)
    demand_w = rng.gamma(2.0, 1.0, size=n_hoods)
    supply_w = rng.gamma(2.0, 1.0, size=n_hoods)

    def place(n: int, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hood = rng.choice(n_hoods, size=n, p=weights / weights.sum())
        xy = hood_xy[hood] + rng.normal(0.0, 1.0, size=(n, 2)) * hood_sd[hood, None]
        lat = CENTRE[0] + xy[:, 1] / 111.32
        lon = CENTRE[1] + xy[:, 0] / (111.32 * math.cos(math.radians(CENTRE[0])))
        return np.round(lat, 6), np.round(lon, 6), hood_group[hood]

    def categories(n: int) -> np.ndarray:
        return rng.choice(len(CATEGORIES), size=n, p=CATEGORY_FREQUENCIES)

    lat, lon, grp = place(n_needs, demand_w)
    cat = categories(n_needs)
    urg = rng.choice(len(URGENCIES), size=n_needs, p=URGENCY_FREQUENCIES)
    qty = np.minimum(rng.geometric(0.45, size=n_needs), 8)
    radius = np.round(rng.uniform(2.0, 6.0, size=n_needs), 1)
    open_ = rng.random(n_needs) < no_radius_share
    needs = []
    for i in range(n_needs):
        rec = {"id": f"n{i + 1}", "group": f"g{grp[i] + 1:02d}", "category": CATEGORIES[cat[i]],
               "quantity": int(qty[i]), "urgency": URGENCIES[urg[i]], "lat": float(lat[i]), "lon": float(lon[i])}
        if not open_[i]:
            rec["max_distance_km"] = float(radius[i])
        needs.append(rec)

    lat, lon, grp = place(n_offers, supply_w)
    cat = categories(n_offers)
    qty = np.minimum(rng.geometric(0.25, size=n_offers), 20)
    radius = np.round(rng.uniform(3.0, 12.0, size=n_offers), 1)
    open_ = rng.random(n_offers) < no_radius_share
    offers = []
    for j in range(n_offers):
        rec = {"id": f"o{j + 1}", "group": f"g{grp[j] + 1:02d}", "category": CATEGORIES[cat[j]],
               "quantity": int(qty[j]), "lat": float(lat[j]), "lon": float(lon[j])}
        if not open_[j]:
            rec["max_distance_km"] = float(radius[j])
        offers.append(rec)
    return {"needs": needs, "offers": offers, "policy": {}}


def generate_size(size: str, *, seed: int = 0) -> dict:
    n_needs, n_offers = SIZES[size]
    return generate(n_needs, n_offers, seed=seed)

"""coopgov from Python: a region, the built-in scenarios, a game and a standard.

Run it as a script (``python examples/python_api.py``) or cell by cell in an
editor that understands ``# %%`` cells (VS Code, Spyder, JupyterLab with
jupytext).  It takes about ten seconds and writes nothing.
"""

# %% The region: the Yangtze River Delta, 41 cities keyed by adcode
import numpy as np

import coopgov

yrd = coopgov.load_region("yrd")
city = coopgov.city_data(yrd)  # the arrays the model runs on
print(f"{yrd.name}: {yrd.n} cities, air transfer matrix {yrd.air_transfer.shape}")

# %% The built-in scenarios: current policy and the package of all countermeasures
scenarios = [coopgov.load_builtin("baseline"), coopgov.load_builtin("package")]
results = coopgov.run_scenarios(scenarios, years=10, replications=0)
for row in results.summary():
    print(
        f"{row['name']:>10}: cooperation {row['cooperation_rate']:.3f} in {row['end_year']}, "
        f"PM2.5 change {row['pm25_change']:+.1%}"
    )

# %% The mean-field engine directly: a batch of two scenarios, no lever and all levers
levers = np.stack([np.zeros((10, 11)), np.ones((10, 11))])  # (scenarios, years, levers)
sim = coopgov.simulate(city, [coopgov.ModelParameters()] * 2, levers, years=10)
print("regional cooperation by year:", np.round(sim.cooperation_rate, 2).tolist())

# %% A game: Shapley value and nucleolus of a three-city game (worths of coalitions)
worth = [0, 0, 0, 60, 0, 40, 20, 90]  # by bitmask: {0, 1} = 60, {0, 2} = 40, ...
print("Shapley value:", np.round(coopgov.shapley_value(worth), 2).tolist())
print("nucleolus:    ", np.round(coopgov.nucleolus(worth), 2).tolist())
print("river, upstream equal sharing:", np.round(coopgov.upstream_equal_sharing([6, 4, 2]), 2))

# %% A standard: the AQI of a day (HJ 633-2026) and a water section (GB 3838-2002)
day = coopgov.aqi_report({"pm2_5": 80, "pm10": 120, "o3_8h": 150})
print(f"AQI {int(day.aqi)}, category {int(day.category)}")
section = coopgov.section_class({"do": 6.5, "nh3_n": 0.6, "tp": 0.05})
print(f"water section: class {section.label}")

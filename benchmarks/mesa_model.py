"""The agent-based cooperation model written the Mesa way, as a baseline.

Same rules, network and parameters as :mod:`coopgov.dynamics.abm` (one
Python object per agent, Mesa 3 ``Model``/``Agent``, a ``DataCollector``):

* each step, every agent revises with probability ``revision``: with
  probability ``imitation`` (and at least one neighbour) it picks a random
  neighbour b and adopts b's strategy with the Fermi probability
  ``1 / (1 + exp(-(pi_b - pi_a)/K))``, payoffs ``pi = s * delta_city``;
  otherwise it cooperates with the logit probability
  ``1 / (1 + exp(-delta_city/K))``;
* then a cooperator's agreement lapses with probability
  ``lapse = 1 - exp(-decay / steps_per_year)``;
* then with probability ``mutation`` it takes a random strategy;
* updates are synchronous (``step`` decides, ``advance`` applies);
* ``delta_city`` is the affine force field of the cities' cooperation shares,
  ``d + c_x x + c_p (x P0) + c_w (x W^T) + c_xbar xbar``, recomputed each step
  from coefficients of shape (5, Y, N).

Random numbers come from the model's ``random.Random`` (Mesa's ``self.random``),
so the streams differ from coopgov's NumPy generators: the two agree in
distribution, not run by run.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

__all__ = ["Government", "CooperationModel"]


class Government(mesa.Agent):
    """A government (or county) holding a strategy: 1 cooperate, 0 defect."""

    def __init__(self, model: CooperationModel, city: int, strategy: int):
        super().__init__(model)
        self.city = city
        self.strategy = strategy
        self.next_strategy = strategy
        self.neighbours: list[Government] = []

    def step(self) -> None:
        """Decide the next strategy from the current state (synchronous update)."""
        m = self.model
        rand = m.random.random
        s = self.strategy
        if rand() < m.revision:
            d_a = m.delta[self.city]
            if self.neighbours and rand() < m.imitation:
                b = self.neighbours[int(rand() * len(self.neighbours))]
                if b.strategy != s:
                    diff = b.strategy * m.delta[b.city] - s * d_a
                    if rand() * (1.0 + math.exp(-diff * m.inv_temp)) < 1.0:
                        s = b.strategy
            else:
                s = 1 if rand() * (1.0 + math.exp(-d_a * m.inv_temp)) < 1.0 else 0
        if s == 1 and m.lapse > 0.0 and rand() < m.lapse:
            s = 0
        if m.mutation > 0.0 and rand() < m.mutation:
            s = 1 if rand() < 0.5 else 0
        self.next_strategy = s

    def advance(self) -> None:
        """Apply the decided strategy."""
        self.strategy = self.next_strategy


class CooperationModel(mesa.Model):
    """Mesa model of the agent-based cooperation dynamics.

    Parameters
    ----------
    network : coopgov.dynamics.networks.AgentNetwork
        Agents' links (CSR) and cities.
    coef : ndarray, shape (5, Y, N)
        Affine coefficients of the city force field [c0].
    exposure_shares, neighbour_weights : ndarray, shape (N, N)
    initial : float
        Probability that an agent starts cooperating [1].
    imitation, temperature, revision, mutation : float
        The rule's parameters (as :class:`coopgov.dynamics.abm.ABMConfig`).
    steps_per_year : int
    decay : float
        Yearly lapse rate of cooperators' agreements [1/yr].
    seed : int
    """

    def __init__(
        self,
        network,
        coef,
        exposure_shares,
        neighbour_weights,
        *,
        initial=0.1,
        imitation=0.3,
        temperature=0.5,
        revision=0.1,
        mutation=0.002,
        steps_per_year=12,
        decay=0.0,
        seed=0,
    ):
        super().__init__(seed=seed)
        self.coef = np.asarray(coef, float)
        self.couple_t = np.hstack([exposure_shares, np.asarray(neighbour_weights).T])
        self.n_cities = network.n_cities
        self.imitation, self.revision, self.mutation = imitation, revision, mutation
        self.inv_temp = 1.0 / temperature
        self.lapse = 1.0 - math.exp(-decay / steps_per_year)
        self.steps_per_year = steps_per_year
        self.year = 0
        self.step_in_year = 0
        agents = [
            Government(self, int(c), 1 if self.random.random() < initial else 0)
            for c in network.agent_city
        ]
        for a, agent in enumerate(agents):
            agent.neighbours = [
                agents[b] for b in network.indices[network.indptr[a] : network.indptr[a + 1]]
            ]
        self.government_list = agents
        self.city_of = np.asarray(network.agent_city)
        self.city_counts = np.bincount(self.city_of, minlength=self.n_cities).astype(float)
        self.delta = [0.0] * self.n_cities
        self.datacollector = mesa.DataCollector(
            model_reporters={"cooperation_rate": lambda m: float(m.city_shares().mean())}
        )

    def city_shares(self) -> np.ndarray:
        """Share of cooperating agents per city [1]."""
        s = np.fromiter(
            (a.strategy for a in self.government_list), float, len(self.government_list)
        )
        total = np.bincount(self.city_of, weights=s, minlength=self.n_cities)
        return np.divide(
            total, self.city_counts, out=np.zeros(self.n_cities), where=self.city_counts > 0
        )

    def step(self) -> None:
        """One step: recompute the force field, then all agents decide and advance."""
        x = self.city_shares()
        feats = x @ self.couple_t
        n = self.n_cities
        c = self.coef[:, min(self.year, self.coef.shape[1] - 1)]
        self.delta = (
            c[0] + c[1] * x + c[2] * feats[:n] + c[3] * feats[n:] + c[4] * x.mean()
        ).tolist()
        self.agents.do("step")
        self.agents.do("advance")
        self.step_in_year += 1
        if self.step_in_year == self.steps_per_year:
            self.step_in_year = 0
            self.year += 1
            self.datacollector.collect(self)

    def run_years(self, years: int) -> np.ndarray:
        """Run ``years`` years; returns city shares at the end of each, shape (years, N)."""
        out = []
        for _ in range(years):
            for _ in range(self.steps_per_year):
                self.step()
            out.append(self.city_shares())
        return np.array(out)

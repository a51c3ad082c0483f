"""coopgov's agent rule (agents grouped by city) written the Mesa way, as a baseline.

The same rule as :mod:`coopgov.dynamics.abm` at the same rates: agents of a
city are well mixed; in a step of ``h = 1/steps_per_year`` an agent of city
i has an event with probability ``p_i = min(1, R_i h)``, ``R_i`` the sum of
the rates' bounds, of kind

* imitation within the city (rate ``r|Δ_i|``): meet a random agent of the
  city and adopt its strategy if that strategy pays more (sign of Δ_i);
* imitation of a neighbouring city (rate ``κ · bound_i``): meet a random agent
  of a random neighbouring city j; a defector adopts its cooperation with
  probability ``Δ_j⁺ / bound_i``, a cooperator its defection with probability
  ``Δ_i⁻ / bound_i``;
* lapse (rate ``λ(1 − m_i)``): a cooperator defects;
* exploration (rate μ): switch strategy;

decisions read the state at the start of the step (``step`` decides,
``advance`` applies).  One ``mesa.Agent`` per agent, Mesa 3's ``Model``,
``AgentSet.do`` and the model's ``random`` (``random.Random``); Δ is computed
with NumPy once per step.  Two ways to step it:

* :meth:`CityRuleModel.step` — as a Mesa user writes it first: every agent's
  ``step`` is called and draws whether it has an event;
* :meth:`CityRuleModel.step_skipping` — with event skipping: per city the
  number of events is drawn (binomial, the model's NumPy ``rng``) and only
  that many agents, sampled without replacement, are visited (the same
  distribution: each agent has an event independently with probability p_i).

Random streams differ from coopgov's: the two agree in distribution, not run
by run.
"""

from __future__ import annotations

import mesa
import numpy as np

__all__ = ["CityAgent", "CityRuleModel"]


class CityAgent(mesa.Agent):
    """An agent of a city holding a strategy: 1 cooperate, 0 defect."""

    def __init__(self, model: CityRuleModel, city: int, strategy: int):
        super().__init__(model)
        self.city = city
        self.strategy = strategy
        self.next_strategy = strategy

    def step(self) -> None:
        """Draw whether this agent has an event this step; if so, decide it."""
        if self.model.random.random() < self.model.p[self.city]:
            self.revise()
        else:
            self.next_strategy = self.strategy

    def revise(self) -> None:
        """Decide the outcome of an event (the state read is the step's start)."""
        m = self.model
        i = self.city
        s = self.strategy
        rand = m.random.random
        u = rand() * m.total[i]
        d = m.delta[i]
        new = s
        if u < m.within[i]:
            b = m.random.choice(m.members[i])
            if b.strategy != s and ((d > 0.0 and s == 0) or (d < 0.0 and s == 1)):
                new = 1 - s
        elif u < m.within[i] + m.lateral[i]:
            j = m.random.choice(m.neighbours[i])
            b = m.random.choice(m.members[j])
            if b.strategy != s:
                gain = max(m.delta[j], 0.0) if s == 0 else max(-d, 0.0)
                if rand() * m.bound[i] < gain:
                    new = 1 - s
        elif u < m.within[i] + m.lateral[i] + m.lapse[i]:
            new = 0
        else:
            new = 1 - s
        self.next_strategy = new

    def advance(self) -> None:
        """Apply the decided strategy."""
        self.strategy = self.next_strategy


class CityRuleModel(mesa.Model):
    """Mesa model of coopgov's agent rule.

    Parameters
    ----------
    counts : sequence of int
        Agents per city.
    inputs : abm_alternatives.ABMInputs
        Coefficients of Δ, matrices and rates (those of ``run_abm_coef``).
    steps_per_year : int
    seed : int
    """

    def __init__(self, counts, inputs, *, steps_per_year: int = 48, seed: int = 0):
        super().__init__(seed=seed)
        self.inp = inputs
        self.n_cities = len(counts)
        self.h = 1.0 / steps_per_year
        self.steps_per_year = steps_per_year
        self.year = 0
        self.step_in_year = 0
        init = np.asarray(inputs.initial, float)
        self.members: list[list[CityAgent]] = []
        for i, c in enumerate(counts):
            self.members.append(
                [
                    CityAgent(self, i, 1 if self.random.random() < init[i] else 0)
                    for _ in range(int(c))
                ]
            )
        w = np.asarray(inputs.w)
        self.neighbours = [np.flatnonzero(w[i]).tolist() for i in range(self.n_cities)]
        self.counts = np.asarray(counts, float)
        self.shares = self.city_shares()
        self._rates()

    def city_shares(self) -> np.ndarray:
        """Share of cooperating agents per city [1]."""
        return np.array([sum(a.strategy for a in ms) for ms in self.members]) / self.counts

    def _rates(self) -> None:
        """Δ at the current shares and the year's rates, per city (lists)."""
        inp = self.inp
        y = min(self.year, inp.coef.shape[1] - 1)
        x = self.shares
        c = inp.coef[:, y]
        delta = c[0] + c[1] * x + c[2] * (x @ inp.p0) + c[3] * (inp.w @ x) + c[4] * (x @ inp.pw)
        within = inp.rate[y] * np.abs(delta)
        bound = np.array(
            [
                max(max(-delta[i], 0.0), max((delta[j] for j in self.neighbours[i]), default=0.0))
                for i in range(self.n_cities)
            ]
        )
        has = np.array([len(nb) > 0 for nb in self.neighbours])
        lateral = np.where(has, inp.lateral[y] * bound, 0.0)
        lapse = np.asarray(inp.decay[y], float)
        total = within + lateral + lapse + inp.noise[y]
        self.delta, self.within, self.bound = delta.tolist(), within.tolist(), bound.tolist()
        self.lateral, self.lapse, self.total = lateral.tolist(), lapse.tolist(), total.tolist()
        self.p = np.minimum(1.0, total * self.h).tolist()

    def _tick(self) -> None:
        self.step_in_year += 1
        if self.step_in_year == self.steps_per_year:
            self.step_in_year = 0
            self.year += 1

    def step(self) -> None:
        """One step as written: every agent draws whether it has an event."""
        self.shares = self.city_shares()
        self._rates()
        self.agents.do("step")
        self.agents.do("advance")
        self._tick()

    def step_skipping(self) -> None:
        """One step visiting only the agents with an event."""
        self._rates()
        visited = []
        for i, ms in enumerate(self.members):
            k = int(self.rng.binomial(len(ms), self.p[i]))
            if k:
                chosen = self.random.sample(ms, k)
                for a in chosen:
                    a.revise()
                visited += chosen
        # the shares change only through the visited agents: update them, not recount
        change = np.zeros(self.n_cities)
        for a in visited:
            change[a.city] += a.next_strategy - a.strategy
            a.advance()
        self.shares = self.shares + change / self.counts
        self._tick()

    def run_years(self, years: int, skipping: bool = True) -> np.ndarray:
        """Run ``years`` years; city shares at the end of each, shape (years, N)."""
        out = []
        step = self.step_skipping if skipping else self.step
        for _ in range(years):
            for _ in range(self.steps_per_year):
                step()
            out.append(self.city_shares())
        return np.array(out)

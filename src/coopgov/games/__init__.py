"""Game theory of transboundary pollution: emission games, coalitions, allocation.

Modules
-------
emission
    Source-receptor emission game (Mäler 1989): Nash vs cooperation, side
    payments (Chander & Tulkens 1997).
coalitions
    Stability of environmental agreements (d'Aspremont et al. 1983; Barrett
    1994; Carraro & Siniscalco 1993), with and without transfers.
cooperative
    TU games: Shapley value (exact and sampled), nucleolus, core, Nash
    bargaining.
river
    Sharing a polluted river (Ni & Wang 2007; Dong, Ni & Wang 2012) and
    sharing a river's water (Ambec & Sprumont 2002).
"""

"""Pure-JAX numerics: every model's equations live here and nowhere else."""
from . import circuits, lif, stp, validation
from . import family, markram, quantal, tm3  # the STP model family (issue 9)
from .stp import (STPState, decay_factors, event_efficacies, exp_decay_step, init_state, interval_efficacies,
                  nth_spike_efficacy, regular_train_efficacies, rest_state, stp_step, steady_state,
                  validate_stp_params)

__all__ = ["circuits", "lif", "stp", "validation", "family", "markram", "quantal", "tm3", "STPState", "event_efficacies", "exp_decay_step",
           "nth_spike_efficacy", "regular_train_efficacies", "rest_state", "stp_step", "steady_state",
           "validate_stp_params", "decay_factors", "init_state", "interval_efficacies"]

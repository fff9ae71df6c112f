package io.robustcl.ml.attack;

/** The l_p norm of a perturbation ball. */
public enum Norm {
    /** l_inf: max_k |delta_k| (Madry et al.'s PGD). */
    LINF,
    /** l_2: sqrt(sum_k delta_k^2). */
    L2,
    /** l_1: sum_k |delta_k|. */
    L1
}

/**
 * The most steps one match may take: a step is an instruction visited at a position (by the Pike
 * VM, a lookahead's backward pass or the DFA when it builds a state), and costs a few operations
 * plus one per capture slot. A match needing more is stopped with a PatternError, the counterpart
 * of Oathkeeper's 250 ms regexp2 timeout, counted rather than timed so that it does not depend on
 * the machine (2^23 steps take about 200 ms on a slow one). Each code point of the subject costs at
 * most (instructions of the pattern) steps; the portal's patterns take 2-6 steps per code point.
 */
export const MAX_STEPS = 1 << 23;

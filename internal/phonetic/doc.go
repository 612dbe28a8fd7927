// Package phonetic computes phonetic codes of names, so that names that
// sound alike but are spelt differently (Smith and Smyth, Catherine and
// Kathryn) can be compared after they are keyed.
//
// The codes are hashed into pseudonyms, so they are part of the
// pseudonymisation contract: a change to the algorithm changes every
// pseudonym derived from it.
package phonetic

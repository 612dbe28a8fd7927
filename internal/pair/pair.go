// Package pair defines a compared pair of pseudonymised records and the
// per-field evidence that explains its score: the vocabulary shared by the
// matching engine, the detections and the review queue.
package pair

// Contribution is what one compared field added to a pair's match weight.
type Contribution struct {
	Field  string  `json:"field"`  // comparison name, e.g. "surname"
	Level  string  `json:"level"`  // the comparison level reached, e.g. "exact", "dice>=0.9", "null"
	Weight float64 `json:"weight"` // log2 Bayes factor the level contributed (m/u, term-frequency adjusted)
}

// Match is a scored pair of records, by their index in the left and right
// record slices (the same slice for deduplication).
type Match struct {
	Left, Right int32
	// Weight is the match weight: the prior log2 odds plus every field's
	// contribution.
	Weight float64
	// Probability is the match probability implied by Weight.
	Probability float64
	// Explanation lists the contribution of every compared field, in the
	// model's field order. It is filled for pairs that are kept, not for
	// every candidate compared.
	Explanation []Contribution
}

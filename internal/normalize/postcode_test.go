package normalize

import "testing"

func TestPostcode(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantUK bool
	}{
		// Every outward format.
		{"EC1A 1BB", "EC1A 1BB", true}, // AA9A
		{"W1A 0AX", "W1A 0AX", true},   // A9A
		{"M1 1AE", "M1 1AE", true},     // A9
		{"B33 8TH", "B33 8TH", true},   // A99
		{"CR2 6XH", "CR2 6XH", true},   // AA9
		{"DN55 1PT", "DN55 1PT", true}, // AA99
		{"SK1 3NQ", "SK1 3NQ", true},
		{"GIR 0AA", "GIR 0AA", true},
		{"gir0aa", "GIR 0AA", true},
		{"N1C 4AG", "N1C 4AG", true},
		// Case and spacing.
		{"sk1 3nq", "SK1 3NQ", true},
		{"SK13NQ", "SK1 3NQ", true},
		{"sk13nq", "SK1 3NQ", true},
		{"  s k 1 3 n q ", "SK1 3NQ", true},
		{"ec1a1bb", "EC1A 1BB", true},
		{"SK1\u00a03NQ", "SK1 3NQ", true},
		{"SK1-3NQ", "SK1 3NQ", true},
		{"SK1\t3NQ", "SK1 3NQ", true},
		// Repair of the inward digit.
		{"SW1A OAA", "SW1A 0AA", true},
		{"sw1aoaa", "SW1A 0AA", true},
		{"M1 IAE", "M1 1AE", true},
		{"W1A OAX", "W1A 0AX", true},
		// Letters elsewhere are not repaired.
		{"SKI 3NQ", "SKI3NQ", false},
		{"SK1 3N0", "SK13N0", false},
		// Not UK.
		{"SK1 3NQQ", "SK13NQQ", false},
		{"4223", "4223", false},
		{"2600", "2600", false},
		{"K1A 0B1", "K1A0B1", false},   // Canadian
		{"1012 AB", "1012AB", false},   // Dutch
		{"D02 X285", "D02X285", false}, // Eircode
		{"QA1 1AA", "QA11AA", false},   // Q not first
		{"AI1 1AA", "AI11AA", false},   // I not second
		{"A1L 1AA", "A1L1AA", false},   // L not third of A9A
		{"AA1C 1AA", "AA1C1AA", false}, // C not fourth of AA9A
		{"SK1 3CA", "SK13CA", false},   // C not in the inward code
		{"SK1 3NV", "SK13NV", false},
		{"SK1", "SK1", false},
		{"sk1 3nq/", "SK13NQ/", false},
		{"Ørsted 1", "ØRSTED1", false},
		{"12 345", "12345", false},
		// Null.
		{"", "", false},
		{"   ", "", false},
		{"N/A", "", false},
		{"unknown", "", false},
		{"NFA", "", false},
		{"ZZ99 3VZ", "", false},
		{"zz993wz", "", false},
	}
	for _, tt := range tests {
		got, uk := Postcode(tt.in)
		if got != tt.want || uk != tt.wantUK {
			t.Errorf("Postcode(%q) = %q, %v, want %q, %v", tt.in, got, uk, tt.want, tt.wantUK)
		}
	}
}

func TestPostcodeParts(t *testing.T) {
	tests := []struct {
		pc, outward, sector string
	}{
		{"SK1 3NQ", "SK1", "SK1 3"},
		{"EC1A 1BB", "EC1A", "EC1A 1"},
		{"W1A 0AX", "W1A", "W1A 0"},
		{"M1 1AE", "M1", "M1 1"},
		{"DN55 1PT", "DN55", "DN55 1"},
		{"GIR 0AA", "GIR", "GIR 0"},
		{"4223", "", ""},
		{"SK13NQ", "", ""},  // not canonical
		{"sk1 3nq", "", ""}, // not canonical
		{"SK1  3NQ", "", ""},
		{"SK13NQQ", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := PostcodeOutward(tt.pc); got != tt.outward {
			t.Errorf("PostcodeOutward(%q) = %q, want %q", tt.pc, got, tt.outward)
		}
		if got := PostcodeSector(tt.pc); got != tt.sector {
			t.Errorf("PostcodeSector(%q) = %q, want %q", tt.pc, got, tt.sector)
		}
	}
}

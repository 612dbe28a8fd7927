package normalize

import "testing"

func TestNINumber(t *testing.T) {
	tests := []struct {
		in     string
		core   string
		status NIStatus
	}{
		// Valid, with cleaning and the suffix dropped.
		{"JG103759A", "JG103759", NIValid},
		{"JG 10 37 59 A", "JG103759", NIValid},
		{"jg-10-37-59-a", "JG103759", NIValid},
		{"JG103759", "JG103759", NIValid},
		{"JG103759D", "JG103759", NIValid},
		{" JG103759B ", "JG103759", NIValid},
		{"JG\u00a0103759\u2013C", "JG103759", NIValid},
		{"OA123457C", "OA123457", NIValid}, // O may be first
		{"AA123457A", "AA123457", NIValid},
		// Suffix not A-D.
		{"JG103759E", "JG103759", NIFormat},
		{"JG103759Z", "JG103759", NIFormat},
		// Letters not used in prefixes.
		{"DA123457A", "DA123457", NIFormat},
		{"FA123457A", "FA123457", NIFormat},
		{"IA123457A", "IA123457", NIFormat},
		{"UA123457A", "UA123457", NIFormat},
		{"VA123457A", "VA123457", NIFormat},
		{"AD123457A", "AD123457", NIFormat},
		{"AO123457A", "AO123457", NIFormat},
		{"AQ123457A", "AQ123457", NIFormat},
		{"AV123457A", "AV123457", NIFormat},
		// Unallocated prefixes.
		{"BG123457A", "BG123457", NIFormat},
		{"GB123457A", "GB123457", NIFormat},
		{"KN123457A", "KN123457", NIFormat},
		{"NK123457A", "NK123457", NIFormat},
		{"NT123457A", "NT123457", NIFormat},
		{"ZZ123457A", "ZZ123457", NIFormat},
		// Temporary numbers and dummies.
		{"TN010283M", "", NIPlaceholder},
		{"TN123457A", "", NIPlaceholder},
		{"QQ123456C", "", NIPlaceholder},
		{"QQ 12 34 56 C", "", NIPlaceholder},
		{"AA000000A", "", NIPlaceholder},
		{"JG000000A", "", NIPlaceholder},
		{"JG111111A", "", NIPlaceholder},
		{"JG999999", "", NIPlaceholder},
		{"AB123456C", "", NIPlaceholder},
		{"AA123456A", "", NIPlaceholder},
		{"AB654321", "", NIPlaceholder},
		{"JG123456A", "JG123456", NIValid}, // the sequence alone is not a dummy
		// Placeholders.
		{"UNKNOWN", "", NIPlaceholder},
		{"n/a", "", NIPlaceholder},
		{"NOT KNOWN", "", NIPlaceholder},
		{"0000000", "", NIPlaceholder},
		{"XXXXXXXXX", "", NIPlaceholder},
		{"1111111", "", NIPlaceholder},
		{"?", "", NIPlaceholder},
		// Other identifiers are kept.
		{"7421835", "7421835", NIFormat}, // FEBRL
		{"742 1835", "7421835", NIFormat},
		{"X1234567", "X1234567", NIFormat},
		{"JG10375", "JG10375", NIFormat},
		{"JG1037599A", "JG1037599A", NIFormat},
		{"123-45-6789", "123456789", NIFormat},
		{"A", "A", NIFormat},
		{"jg103759a/x", "JG103759A/X", NIFormat},
		{"Ünï", "ÜNï", NIFormat}, // only ASCII letters are upper-cased
		// Empty.
		{"", "", NIEmpty},
		{"   ", "", NIEmpty},
		{" - ", "", NIEmpty},
	}
	for _, tt := range tests {
		core, st := NINumber(tt.in)
		if core != tt.core || st != tt.status {
			t.Errorf("NINumber(%q) = %q, %v, want %q, %v", tt.in, core, st, tt.core, tt.status)
		}
	}
}

func TestNIStatusString(t *testing.T) {
	tests := []struct {
		st   NIStatus
		want string
	}{
		{NIValid, "valid"}, {NIFormat, "format"}, {NIPlaceholder, "placeholder"},
		{NIEmpty, "empty"}, {NIStatus(42), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.st.String(); got != tt.want {
			t.Errorf("NIStatus(%d).String() = %q, want %q", int(tt.st), got, tt.want)
		}
	}
}

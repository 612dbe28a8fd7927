package normalize

import "testing"

func TestAddress(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// Case, punctuation and spacing.
		{"12 High Street", "12 high street"},
		{"  12,  HIGH   STREET ", "12 high street"},
		{"Stoke-on-Trent", "stoke on trent"},
		{"St. Mary's Road", "saint marys road"},
		{"Château Lane", "chateau lane"},
		// Numbers and letters.
		{"12A High St", "12a high street"},
		{"12 a High St", "12a high street"},
		{"12 A, High St", "12a high street"},
		{"12-14 High St", "12 14 high street"},
		{"12 b c Road", "12b c road"},
		{"No. 5 High St", "5 high street"},
		{"no 5 high st", "5 high street"},
		{"No 5a", "5a"},
		{"no no 5", "5"},
		{"No Mans Land", "no mans land"},
		{"Flat No. 3, 12 High St", "flat 3 12 high street"},
		// Flats.
		{"Flat 3, 12 High St", "flat 3 12 high street"},
		{"Flt 3 12 High St", "flat 3 12 high street"},
		{"Apartment 3, The Mill", "flat 3 the mill"},
		{"Apt. 3", "flat 3"},
		{"Unit 5, Mill Est", "flat 5 mill estate"},
		// St.
		{"High St", "high street"},
		{"12 High St", "12 high street"},
		{"St Marys Road", "saint marys road"},
		{"12 St Marys Road", "12 saint marys road"},
		{"Flat 3 St Johns Court", "flat 3 saint johns court"},
		{"Church St, St Albans", "church street saint albans"},
		{"Church St; St Albans", "church street saint albans"},
		{"Church St\nSt Albans", "church street saint albans"},
		{"12 St", "12 street"},
		{"St, London", "street london"},
		{"High St North", "high street north"},
		// Dr.
		{"Oak Dr", "oak drive"},
		{"12 Oak Dr, Leeds", "12 oak drive leeds"},
		{"Dr Johnsons House", "doctor johnsons house"},
		{"Dr, Leeds", "drive leeds"},
		// Gr.
		{"Oak Gr", "oak grove"},
		{"Oak Gro", "oak grove"},
		{"Gr Floor Flat, 12 High St", "ground floor flat 12 high street"},
		{"Gr Flr, 12 High St", "ground floor 12 high street"},
		// Abbreviations.
		{"1 Mill Rd", "1 mill road"},
		{"1 Park Ave", "1 park avenue"},
		{"1 Park Av", "1 park avenue"},
		{"1 Mill Ln", "1 mill lane"},
		{"1 Moon Cres", "1 moon crescent"},
		{"1 Rose Ct", "1 rose court"},
		{"1 Rose Crt", "1 rose court"},
		{"1 Elm Pl", "1 elm place"},
		{"1 Market Sq", "1 market square"},
		{"1 Kew Gdns", "1 kew gardens"},
		{"1 Elm Cl", "1 elm close"},
		{"1 Bath Tce", "1 bath terrace"},
		{"1 Bath Terr", "1 bath terrace"},
		{"1 Marine Pde", "1 marine parade"},
		{"1 Park Hts", "1 park heights"},
		{"1 Kings Mws", "1 kings mews"},
		{"1 River Wk", "1 river walk"},
		{"1 Manor Ho", "1 manor house"},
		{"1 Manor Hse", "1 manor house"},
		{"1 Station Bldgs", "1 station buildings"},
		{"1st Flr Flat", "1st floor flat"},
		// Postcode-like tokens are kept.
		{"12 High St SK1 3NQ", "12 high street sk1 3nq"},
		// Null.
		{"", ""},
		{"   ", ""},
		{",,,", ""},
		{"Unknown", ""},
		{"NFA", ""},
		{"No Fixed Abode", ""},
		{"N/A", ""},
	}
	for _, tt := range tests {
		if got := Address(tt.in); got != tt.want {
			t.Errorf("Address(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHouseNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"12 High Street", "12"},
		{"12a High St", "12a"},
		{"12 A High St", "12a"},
		{"Flat 3, 12 High Street", "12"},
		{"flat 3 12 high street", "12"},
		{"Flat 3A, 12 High Street", "12"},
		{"Apartment 7, 21 Mill Lane", "21"},
		{"Unit 5, 20 Mill Est", "20"},
		{"Flat A, 12 High St", "12"},
		{"3 Rose Court, 7 Mill Lane", "3"},
		{"Rose Court, 7 Mill Lane", "7"},
		{"No. 5 High St", "5"},
		{"1st Floor Flat, 12 High St", "12"},
		{"2nd Floor, 33 Mill Lane", "33"},
		{"Ground Floor Flat 12 High St", "12"},
		{"Basement Flat, 3 Mill Lane", "3"},
		{"Top Flat 9 Mill Lane", "9"},
		{"Flat 2 Top Floor 9 Mill Lane", "9"},
		{"Flat 3 Flat 4 12 High St", "12"},
		{"Flat 3", ""},
		{"Rose Cottage, Mill Lane", ""},
		{"The Old Rectory", ""},
		{"", ""},
		{"Unknown", ""},
	}
	for _, tt := range tests {
		if got := HouseNumber(tt.in); got != tt.want {
			t.Errorf("HouseNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

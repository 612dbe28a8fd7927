package synth

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
)

func TestNameTables(t *testing.T) {
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	for g := range numGroups {
		for _, sex := range []byte{'M', 'F'} {
			n := len(tb.forenames[g][sexIndex(sex)][0].names)
			if n < 15 {
				t.Errorf("group %s sex %c: %d forenames", groupCodes[g], sex, n)
			}
		}
	}
	if n := len(tb.forenames[groupGB][0][0].names) + len(tb.forenames[groupGB][1][0].names); n < 300 {
		t.Errorf("%d British forenames, want several hundred", n)
	}
	total := 0
	for g := range numGroups {
		total += len(tb.family[g])
	}
	if total < 400 {
		t.Errorf("%d surnames, want several hundred", total)
	}

	// The commonest names are the ones a UK housing analyst expects.
	r := rand.New(rand.NewPCG(1, 2))
	top := func(draw func() string) []string {
		c := map[string]int{}
		for range 20_000 {
			c[draw()]++
		}
		var names []string
		for n := range c {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			return c[names[i]] > c[names[j]] || c[names[i]] == c[names[j]] && names[i] < names[j]
		})
		return names[:3]
	}
	tests := []struct {
		what string
		draw func() string
		want string
	}{
		{"British surname", func() string { return tb.familyName(r, groupGB).male }, "Smith"},
		{"Pakistani/Bangladeshi surname", func() string { return tb.familyName(r, groupSA).male }, "Khan"},
		{"Indian surname", func() string { return tb.familyName(r, groupIN).male }, "Patel"},
		{"South Asian boy's name", func() string { return tb.forename(r, groupSA, 'M', 1990) }, "Mohammed"},
		{"British man born 1945", func() string { return tb.forename(r, groupGB, 'M', 1945) }, "John"},
		{"British woman born 1935", func() string { return tb.forename(r, groupGB, 'F', 1935) }, "Margaret"},
		{"British girl born 2015", func() string { return tb.forename(r, groupGB, 'F', 2015) }, "Olivia"},
	}
	for _, tt := range tests {
		got := top(tt.draw)
		found := false
		for _, n := range got {
			found = found || n == tt.want
		}
		if !found {
			t.Errorf("%s: top three %v, want %s among them", tt.what, got, tt.want)
		}
	}
	// Surnames that agree with sex have both forms.
	found := false
	for _, s := range tb.family[groupEE] {
		if s.male == "Kowalski" {
			found = s.female == "Kowalska"
		}
	}
	if !found {
		t.Error("Kowalski has no female form Kowalska")
	}
	if s, ok := tb.womansName(r, groupSA); !ok || s == "" {
		t.Error("no surnames held only by women for group sa")
	}
}

func TestNINumbers(t *testing.T) {
	a := newNIAllocator(42)
	seen := map[string]bool{}
	for pid := int64(0); pid < 200_000; pid++ {
		n := a.number(pid)
		if !validNI(n) {
			t.Fatalf("pid %d: invalid NI number", pid)
		}
		if seen[n[:8]] {
			t.Fatalf("pid %d: NI number repeated", pid)
		}
		seen[n[:8]] = true
	}
	if b := newNIAllocator(43); b.number(7) == a.number(7) {
		t.Error("NI numbers do not depend on the seed")
	}
	tests := []struct{ in, want string }{
		{"AB123456C", "AB 12 34 56 C"},
		{"AB12345", "AB12345"},
	}
	for _, tt := range tests {
		if got := spacedNI(tt.in); got != tt.want {
			t.Errorf("spacedNI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	tn := temporaryNI(date.MustOf(1980, 3, 7), 'F')
	if tn != "TN070380F" || validNI(tn) || !validNI("AB123456C") || validNI("AA000000A") {
		t.Errorf("temporaryNI = %q; validNI disagrees with HMRC's rules", tn)
	}
}

func TestPhoneFormats(t *testing.T) {
	tests := []struct{ in, compact, intl string }{
		{"07700 900123", "07700900123", "+44 7700 900123"},
		{"07700 900000", "07700900000", "+44 7700 900000"},
		{"", "", ""},
		{"12345", "12345", "12345"},
	}
	for _, tt := range tests {
		if got := phoneCompact(tt.in); got != tt.compact {
			t.Errorf("phoneCompact(%q) = %q, want %q", tt.in, got, tt.compact)
		}
		if got := phoneIntl(tt.in); got != tt.intl {
			t.Errorf("phoneIntl(%q) = %q, want %q", tt.in, got, tt.intl)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		if p := phoneNumber(r); !phoneRE.MatchString(p) || !phoneRE.MatchString(phoneIntl(p)) || !phoneRE.MatchString(phoneCompact(p)) {
			t.Fatalf("phone %q outside the drama range", p)
		}
	}
}

func TestEmail(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range [][2]string{{"Łukasz", "Wiśniewski"}, {"Mary", "O'Brien"}, {"Jo", "Smith-Jones"}, {"", ""}} {
		for range 20 {
			e := emailAddress(r, 12345, n[0], n[1], 1980)
			local, domain, ok := strings.Cut(e, "@")
			if !ok || local == "" || strings.ContainsAny(local, " '") {
				t.Fatalf("email %q for %v", e, n)
			}
			reserved := false
			for _, d := range emailDomains {
				reserved = reserved || d == domain
			}
			if !reserved {
				t.Fatalf("email %q not at a reserved domain", e)
			}
		}
	}
}

func TestGazetteer(t *testing.T) {
	z, err := loadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	s := newStock(z, 9)
	seen := map[home]bool{}
	postcodes := map[string]map[string]bool{} // postcode -> streets
	for i := range 40_000 {
		h := s.next()
		if i%3 == 0 {
			h = s.far()
		}
		if seen[h] {
			t.Fatalf("home %d allocated twice", h)
		}
		seen[h] = true
		a := z.address(h)
		if !postcodeRE.MatchString(a.postcode) || !uprnRE.MatchString(a.uprn) {
			t.Fatalf("home %d: postcode %q, UPRN %q", h, a.postcode, a.uprn)
		}
		if (a.flat == 0) == (a.number == 0) || (a.flat > 0) != (a.block != "") {
			t.Fatalf("home %d is neither a house nor a flat: %+v", h, a)
		}
		if postcodes[a.postcode] == nil {
			postcodes[a.postcode] = map[string]bool{}
		}
		postcodes[a.postcode][a.street+"/"+a.locality] = true
	}
	// A postcode unit covers a street or two, not a town.
	for pc, streets := range postcodes {
		if len(streets) > 4 {
			t.Errorf("postcode %s covers %d streets", pc, len(streets))
		}
	}
	// The landlord's stock is in Stockport and its neighbours.
	town := map[string]int{}
	s = newStock(z, 9)
	for range 5000 {
		town[z.address(s.next()).town]++
	}
	if town["Stockport"] < 3500 {
		t.Errorf("landlord's homes by town %v, want most in Stockport", town)
	}
	// Neighbouring homes from next share a street and postcode.
	s = newStock(z, 10)
	a, b := z.address(s.next()), z.address(s.next())
	if a.postcode != b.postcode || a.street != b.street {
		t.Errorf("consecutive homes %+v and %+v are not neighbours", a, b)
	}
}

func TestAddressStyles(t *testing.T) {
	flat := address{locality: "Brinnington", town: "Stockport", flat: 3, block: "Pennine Court", street: "Marple Road", postcode: "SK5 7QE"}
	house := address{locality: "Stockport", town: "Stockport", number: 12, street: "Marple Road"}
	tests := []struct {
		a    address
		st   addrStyle
		want string
	}{
		{flat, addrStyle{locality: true, town: true}, "Flat 3, Pennine Court, Marple Road, Brinnington, Stockport"},
		{flat, addrStyle{abbrev: true, flatForm: 1, town: true}, "Flat 3 Pennine Ct, Marple Rd, Stockport"},
		{flat, addrStyle{flatForm: 2, upper: true, sep: " "}, "3 PENNINE COURT MARPLE ROAD"},
		{flat, addrStyle{flatForm: 3}, "Apartment 3, Pennine Court, Marple Road"},
		{house, addrStyle{locality: true, town: true}, "12 Marple Road, Stockport"},
	}
	for _, tt := range tests {
		if got := tt.a.line(tt.st); got != tt.want {
			t.Errorf("line(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
	l1, l2, town := flat.landlordLines()
	if l1 != "Flat 3, Pennine Court" || l2 != "Marple Road" || town != "Stockport" {
		t.Errorf("landlordLines = %q, %q, %q", l1, l2, town)
	}
	l1, l2, _ = house.landlordLines()
	if l1 != "12 Marple Road" || l2 != "" {
		t.Errorf("landlordLines of a house in its post town = %q, %q", l1, l2)
	}
}

// osa is the optimal string alignment distance between a and b, in runes.
func osa(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

func TestTypo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	changed := 0
	for _, name := range []string{"Smith", "Wiśniewska", "O'Brien", "Li", "Mohammed", "Anna"} {
		for range 200 {
			got := typo(r, name)
			if osa(name, got) > 1 || got == "" || !utf8.ValidString(got) {
				t.Fatalf("typo(%q) = %q", name, got)
			}
			if got != name {
				changed++
			}
			if got[:1] != name[:1] {
				t.Fatalf("typo(%q) = %q changed the first letter", name, got)
			}
		}
	}
	if changed < 1000 {
		t.Errorf("only %d of 1200 typos changed the name", changed)
	}
	if got := typo(r, "J"); got != "J" {
		t.Errorf("typo of one letter = %q", got)
	}
}

func FuzzTypo(f *testing.F) {
	for _, s := range []string{"Smith", "Łukasz", "ab", "", "\xe9x"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		got := typo(rand.New(rand.NewPCG(seed, 0)), s)
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) < 2 {
			if got != s {
				t.Fatalf("typo(%q) = %q, want it unchanged", s, got)
			}
			return
		}
		if !utf8.ValidString(got) || got == "" || osa(s, got) > 1 {
			t.Fatalf("typo(%q) = %q", s, got)
		}
	})
}

func TestFoldAccents(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Wiśniewska", "Wisniewska"},
		{"Łukasz", "Lukasz"},
		{"Paweł", "Pawel"},
		{"Zoë", "Zoe"},
		{"Kazlauskienė", "Kazlauskiene"},
		{"Ionuț", "Ionut"},
		{"Horváthová", "Horvathova"},
		{"Smith", "Smith"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := foldAccents(tt.in); got != tt.want {
			t.Errorf("foldAccents(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFoldAccents(f *testing.F) {
	for _, s := range []string{"Wiśniewska", "Łódź", "abc", "é", "\xe9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		got := foldAccents(s)
		if foldAccents(got) != got {
			t.Fatalf("foldAccents(%q) = %q is not idempotent", s, got)
		}
		for _, c := range got {
			if unicode.Is(unicode.Mn, c) {
				t.Fatalf("foldAccents(%q) = %q keeps a combining mark", s, got)
			}
		}
	})
}

func FuzzEmailPart(f *testing.F) {
	for _, s := range []string{"O'Brien", "Smith-Jones", "Łukasz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, c := range emailPart(s) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				t.Fatalf("emailPart(%q) has %q", s, c)
			}
		}
	})
}

func FuzzAbbreviate(f *testing.F) {
	for _, s := range []string{"Marple Road", "Pennine Court", "Road", "", "A B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := abbreviate(s)
		if abbreviate(got) != got || len(got) > len(s) {
			t.Fatalf("abbreviate(%q) = %q", s, got)
		}
		if i := strings.LastIndexByte(s, ' '); i >= 0 && got[:i] != s[:i] {
			t.Fatalf("abbreviate(%q) = %q changed more than the last word", s, got)
		}
	})
}

func TestDates(t *testing.T) {
	swaps := []struct {
		in   date.Date
		want string
		ok   bool
	}{
		{date.MustOf(1980, 3, 7), "1980-07-03", true},
		{date.MustOf(1980, 3, 13), "1980-03-13", false},
		{date.MustOf(1980, 5, 5), "1980-05-05", false},
		{date.MustOf(1981, 2, 10), "1981-10-02", true},
	}
	for _, tt := range swaps {
		got, ok := swapDayMonth(tt.in)
		if got.String() != tt.want || ok != tt.ok {
			t.Errorf("swapDayMonth(%v) = %v, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	r := rand.New(rand.NewPCG(11, 12))
	for d := date.MustOf(1950, 1, 1); d.Before(date.MustOf(1952, 1, 1)); d = d.AddDays(1) {
		e, ok := dayTypo(r, d)
		if !ok || e == d || e.Year() != d.Year() || e.Month() != d.Month() {
			t.Fatalf("dayTypo(%v) = %v, %v", d, e, ok)
		}
	}
	if got := addYears(date.MustOf(2000, 2, 29), 1); got != date.MustOf(2001, 2, 28) {
		t.Errorf("addYears(29 Feb 2000, 1) = %v", got)
	}
	if got := ageAt(date.MustOf(1980, 11, 2), date.MustOf(2026, 11, 1)); got != 45 {
		t.Errorf("ageAt = %d, want 45", got)
	}
	// The partner formats read back with the layouts their mappings name.
	formats := []struct {
		layout date.Layout
		f      func(date.Date) string
	}{
		{date.UKSlash, fmtUKSlash}, {date.UKDash, fmtUKDash}, {date.Compact, fmtCompact}, {date.DayMonth, fmtDayMonth}, {date.ISO, date.Date.String},
	}
	for d := date.MustOf(1899, 12, 25); d.Before(date.MustOf(1902, 1, 10)); d = d.AddDays(3) {
		for _, ft := range formats {
			back, err := date.Parse(ft.layout, ft.f(d))
			if err != nil || back != d {
				t.Fatalf("%s: %v written %q reads back as %v, %v", ft.layout, d, ft.f(d), back, err)
			}
		}
	}
	if got := int96(date.MustOf(2024, 1, 2)); got == nil || len(*got) != 12 {
		t.Error("int96 is not 12 bytes")
	}
	if got := millis(date.MustOf(1970, 1, 2)); got == nil || *got != 86_400_000 {
		t.Errorf("millis(2 Jan 1970) = %v", got)
	}
	if monthName(time.September) != "Sep" {
		t.Error("monthName")
	}
}

func TestLatin1Byte(t *testing.T) {
	for _, s := range []string{"Renee", "Anna", "Bob", "x"} {
		got, ok := latin1Byte(s)
		if !ok || utf8.ValidString(got) || len(got) < len(s) {
			t.Errorf("latin1Byte(%q) = %q, %v; want invalid UTF-8", s, got, ok)
		}
	}
}

// TestCompoundSurnames checks that a few British families, and no others,
// have a double-barrelled surname of two different family names, and that
// copies of a person in other records hold one part of it at the rate
// Noise.CompoundPart says.
func TestCompoundSurnames(t *testing.T) {
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{t: tb, noise: DefaultNoise(), today: DefaultToday, r: rand.New(rand.NewPCG(3, 4)), compound: rand.New(rand.NewPCG(5, 6)), docs: rand.New(rand.NewPCG(7, 8))}
	const draws = 50_000
	compound := 0
	for range draws {
		f := g.family(groupGB)
		first, last, ok := strings.Cut(f.male, "-")
		if !ok {
			continue
		}
		compound++
		if first == last || first == "" || last == "" || strings.Count(f.female, "-") != 1 {
			t.Fatalf("family %+v", f)
		}
	}
	if share := float64(compound) / draws; share < compoundSurname/2 || share > compoundSurname*2 {
		t.Errorf("%.4f of British families have a compound surname, want about %.2f", share, compoundSurname)
	}
	for range draws / 10 {
		if f := g.family(groupSA); strings.Contains(f.male, "-") {
			t.Fatalf("South Asian family %+v has a compound surname", f)
		}
	}

	h := &human{forename: "Jane", surname: "Smith-Jones", sex: 'F', dob: date.MustOf(1950, 1, 2), ni: "JG103759A"}
	g.noise = Noise{CompoundPart: DefaultNoise().CompoundPart}
	parts := map[string]int{}
	for range draws / 10 {
		parts[g.noisyCopy(h, copyOtherLandlord).surname]++
	}
	if len(parts) != 3 || parts["Smith"] == 0 || parts["Jones"] == 0 {
		t.Fatalf("copies of Smith-Jones are written %v", parts)
	}
	if share := 1 - float64(parts["Smith-Jones"])/(draws/10); share < g.noise.CompoundPart-0.03 || share > g.noise.CompoundPart+0.03 {
		t.Errorf("%.3f of copies hold one part, want %.2f", share, g.noise.CompoundPart)
	}
}

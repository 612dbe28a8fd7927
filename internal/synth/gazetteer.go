package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// locality is a neighbourhood with its own streets. Streets are owned by
// the landlord, by the other landlord or privately (owner-occupied or
// privately rented), which keeps each landlord's homes apart from the
// addresses that partner datasets draw at random.
type locality struct {
	name      string
	town      string   // Royal Mail post town
	districts []string // postcode districts (outward codes)
	streets   int      // number of streets, at most maxStreets
	ours      float64  // share of streets where the landlord owns the homes
	other     float64  // share where the other landlord owns them
	flats     float64  // share of the landlord's segments that are blocks of flats
}

// localities are real places around Stockport; the streets, homes and
// postcode units in them are invented.
var localities = []locality{
	{"Brinnington", "Stockport", []string{"SK5"}, 4800, 0.60, 0, 0.55},
	{"Reddish", "Stockport", []string{"SK5"}, 5500, 0.45, 0, 0.35},
	{"Heaton Norris", "Stockport", []string{"SK4"}, 4500, 0.40, 0, 0.40},
	{"Heaton Chapel", "Stockport", []string{"SK4"}, 3000, 0.30, 0, 0.25},
	{"Heaton Moor", "Stockport", []string{"SK4"}, 2500, 0.15, 0, 0.30},
	{"Edgeley", "Stockport", []string{"SK3"}, 4500, 0.45, 0, 0.40},
	{"Cheadle Heath", "Stockport", []string{"SK3"}, 3000, 0.35, 0, 0.30},
	{"Adswood", "Stockport", []string{"SK3"}, 3500, 0.55, 0, 0.40},
	{"Shaw Heath", "Stockport", []string{"SK3", "SK2"}, 2500, 0.45, 0, 0.50},
	{"Offerton", "Stockport", []string{"SK2"}, 5500, 0.50, 0, 0.35},
	{"Great Moor", "Stockport", []string{"SK2"}, 3000, 0.30, 0, 0.25},
	{"Stockport", "Stockport", []string{"SK1"}, 3000, 0.40, 0.05, 0.65},
	{"Lancashire Hill", "Stockport", []string{"SK4", "SK5"}, 2500, 0.55, 0, 0.60},
	{"Bredbury", "Stockport", []string{"SK6"}, 4500, 0.35, 0, 0.30},
	{"Romiley", "Stockport", []string{"SK6"}, 3000, 0.20, 0, 0.25},
	{"Marple", "Stockport", []string{"SK6"}, 3500, 0.15, 0, 0.25},
	{"Woodley", "Stockport", []string{"SK6"}, 2500, 0.30, 0, 0.30},
	{"Hazel Grove", "Stockport", []string{"SK7"}, 4500, 0.30, 0, 0.30},
	{"Bramhall", "Stockport", []string{"SK7"}, 3000, 0.05, 0, 0.20},
	{"Davenport", "Stockport", []string{"SK3", "SK2"}, 2500, 0.20, 0, 0.30},
	{"Poynton", "Stockport", []string{"SK12"}, 2000, 0.05, 0, 0.20},
	{"Cheadle", "Cheadle", []string{"SK8"}, 4000, 0.20, 0, 0.35},
	{"Cheadle Hulme", "Cheadle", []string{"SK8"}, 3500, 0.10, 0, 0.25},
	{"Heald Green", "Cheadle", []string{"SK8"}, 3000, 0.20, 0, 0.30},
	{"Gatley", "Cheadle", []string{"SK8"}, 2500, 0.10, 0, 0.25},
	{"Hattersley", "Hyde", []string{"SK14"}, 3000, 0.20, 0.50, 0.40},
	{"Hyde", "Hyde", []string{"SK14"}, 4000, 0.05, 0.30, 0.35},
	{"Denton", "Manchester", []string{"M34"}, 4000, 0.05, 0.30, 0.35},
	{"Glossop", "Glossop", []string{"SK13"}, 3000, 0, 0.20, 0},
	{"Macclesfield", "Macclesfield", []string{"SK10", "SK11"}, 5000, 0, 0.25, 0},
	{"Wilmslow", "Wilmslow", []string{"SK9"}, 3000, 0, 0.10, 0},
	{"Stalybridge", "Stalybridge", []string{"SK15"}, 3000, 0, 0.30, 0},
	{"Dukinfield", "Dukinfield", []string{"SK16"}, 2500, 0, 0.30, 0},
	{"Levenshulme", "Manchester", []string{"M19"}, 4000, 0, 0.30, 0},
	{"Burnage", "Manchester", []string{"M19"}, 3000, 0, 0.35, 0},
	{"Didsbury", "Manchester", []string{"M20"}, 3500, 0, 0.10, 0},
	{"Withington", "Manchester", []string{"M20"}, 3000, 0, 0.20, 0},
	{"Wythenshawe", "Manchester", []string{"M22", "M23"}, 6000, 0, 0.55, 0},
	{"Northenden", "Manchester", []string{"M22"}, 2500, 0, 0.30, 0},
	{"Gorton", "Manchester", []string{"M18"}, 4000, 0, 0.45, 0},
	{"Longsight", "Manchester", []string{"M12", "M13"}, 3500, 0, 0.35, 0},
	{"Newton Heath", "Manchester", []string{"M40"}, 4000, 0, 0.45, 0},
	{"Moston", "Manchester", []string{"M40", "M9"}, 3500, 0, 0.35, 0},
	{"Audenshaw", "Manchester", []string{"M34"}, 2500, 0, 0.20, 0},
	{"Oldham", "Oldham", []string{"OL1", "OL4", "OL8", "OL9"}, 6000, 0, 0.40, 0},
	{"Ashton-under-Lyne", "Ashton-under-Lyne", []string{"OL6", "OL7"}, 5000, 0, 0.40, 0},
	{"Rochdale", "Rochdale", []string{"OL11", "OL12", "OL16"}, 6000, 0, 0.35, 0},
	{"Warrington", "Warrington", []string{"WA1", "WA2", "WA4", "WA5"}, 6000, 0, 0.20, 0},
	{"Altrincham", "Altrincham", []string{"WA14", "WA15"}, 4000, 0, 0.10, 0},
	{"Crewe", "Crewe", []string{"CW1", "CW2"}, 5000, 0, 0.20, 0},
	{"Nantwich", "Nantwich", []string{"CW5"}, 2500, 0, 0.10, 0},
	{"Northwich", "Northwich", []string{"CW8", "CW9"}, 3500, 0, 0.15, 0},
}

// streetTypes are the suffixes of street names, most common first.
var streetTypes = [...]string{"Road", "Street", "Avenue", "Close", "Drive", "Lane", "Grove", "Crescent", "Way", "Walk", "Gardens", "Terrace", "Place", "View", "Rise", "Mews", "Green", "Square"}

// streetTypeWeights weight the order in which a locality takes up street
// types: Roads and Streets first, Mews and Squares last.
var streetTypeWeights = [len(streetTypes)]float64{30, 22, 14, 12, 10, 9, 6, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1}

// blockTypes are the suffixes of the names of blocks of flats.
var blockTypes = []string{"House", "Court", "Court", "House", "Point", "Towers", "Lodge", "Heights"}

// abbreviations are the short forms of street and block suffixes that
// housing and utility systems use.
var abbreviations = map[string]string{
	"Road": "Rd", "Street": "St", "Avenue": "Ave", "Close": "Cl", "Drive": "Dr", "Lane": "Ln",
	"Grove": "Gr", "Crescent": "Cres", "Gardens": "Gdns", "Terrace": "Terr", "Place": "Pl",
	"Square": "Sq", "Court": "Ct", "House": "Ho", "Towers": "Twrs", "Heights": "Hts",
}

const (
	// maxStreets bounds a locality's streets: each street is a distinct
	// stem and type, so there must be enough stems for every type.
	maxStreets = 6000
	minStems   = (maxStreets + len(streetTypes) - 1) / len(streetTypes)

	// homesPerSegment is the size of a run of homes that share a postcode:
	// sixteen consecutive house numbers, or the sixteen flats of a block.
	homesPerSegment = 16

	// uprnBase makes every home's UPRN twelve digits.
	uprnBase = 100_090_000_000

	// inwardLetters are the letters allowed in a postcode's inward unit.
	inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"
)

// streetLengths are a street's length in segments and their weights: most
// streets are short closes, a few are long roads.
var (
	streetLengths       = []int{1, 2, 3, 4, 6, 8, 12}
	streetLengthWeights = []float64{15, 30, 20, 15, 10, 7, 3}
)

// owner says who owns the homes on a street.
type owner uint8

const (
	ownerPrivate owner = iota
	ownerUs
	ownerOther
)

// gazetteer is the fixed geography every dataset's addresses come from. It
// does not depend on the seed: the same street has the same postcode in
// every run.
type gazetteer struct {
	stems     []string
	firstSt   []int32    // per locality, its first global street index
	locOf     []uint8    // per global street, its locality
	segStart  []int32    // per global street, its first global segment; one extra entry at the end
	owners    []owner    // per global street
	typeOrder [][]uint8  // per locality, the order it takes up street types
	byOwner   [3][]int32 // global segment indexes per owner, in street order
}

func newGazetteer(stems []string) *gazetteer {
	z := &gazetteer{stems: stems}
	lengths := newSampler(streetLengthWeights)
	var seg int32
	for li, l := range localities {
		z.firstSt = append(z.firstSt, int32(len(z.locOf)))
		r := rand.New(rand.NewPCG(uint64(li)+1, 0x6a7a))
		z.typeOrder = append(z.typeOrder, weightedOrder(r, streetTypeWeights[:]))
		for s := 0; s < l.streets; s++ {
			z.locOf = append(z.locOf, uint8(li))
			z.segStart = append(z.segStart, seg)
			o := ownerPrivate
			if u := r.Float64(); u < l.ours {
				o = ownerUs
			} else if u < l.ours+l.other {
				o = ownerOther
			}
			z.owners = append(z.owners, o)
			n := streetLengths[lengths.pick(r)]
			for q := 0; q < n; q++ {
				z.byOwner[o] = append(z.byOwner[o], seg)
				seg++
			}
		}
	}
	z.segStart = append(z.segStart, seg)
	return z
}

// weightedOrder returns the indexes of weights in a random order that puts
// heavy ones first (sampling without replacement).
func weightedOrder(r *rand.Rand, weights []float64) []uint8 {
	w := append([]float64(nil), weights...)
	out := make([]uint8, 0, len(w))
	for range w {
		s := newSampler(w)
		i := s.pick(r)
		out = append(out, uint8(i))
		w[i] = 0
	}
	return out
}

// streetOf returns the global street holding global segment seg.
func (z *gazetteer) streetOf(seg int32) int32 {
	lo, hi := 0, len(z.locOf)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if z.segStart[mid] <= seg {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return int32(lo)
}

// home is one dwelling: a global segment and the position in it.
type home int64

func (z *gazetteer) homeAt(seg int32, pos int) home {
	return home(int64(seg)*homesPerSegment + int64(pos))
}

// randomHome returns a home on a street of owner o, chosen uniformly.
func (z *gazetteer) randomHome(r *rand.Rand, o owner) home {
	segs := z.byOwner[o]
	if len(segs) == 0 {
		segs = z.byOwner[ownerPrivate]
	}
	return z.homeAt(segs[r.IntN(len(segs))], r.IntN(homesPerSegment))
}

// address is a home's postal address in its parts.
type address struct {
	home     home
	locality string
	town     string
	number   int    // house number; 0 for a flat
	flat     int    // flat number; 0 for a house
	block    string // name of the block of flats, "" for a house
	street   string
	postcode string // canonical form: "SK5 7QE"
	uprn     string
}

// address returns the address of h.
func (z *gazetteer) address(h home) address {
	seg := int32(int64(h) / homesPerSegment)
	pos := int(int64(h) % homesPerSegment)
	gs := z.streetOf(seg)
	li := int(z.locOf[gs])
	l := &localities[li]
	s := int(gs - z.firstSt[li])
	q := int(seg - z.segStart[gs])

	nStems := len(z.stems)
	// Streets take stems in an order of their own per locality, so that
	// neighbouring localities do not share their first street names.
	stem := z.stems[(s%nStems*7+li*31)%nStems]
	typ := streetTypes[z.typeOrder[li][s/nStems]]
	a := address{
		home:     h,
		locality: l.name,
		town:     l.town,
		street:   stem + " " + typ,
		uprn:     strconv.FormatInt(uprnBase+int64(h), 10),
	}
	hs := mix64(uint64(seg), 0x5e9)
	flatShare := l.flats
	if z.owners[gs] != ownerUs {
		flatShare = 0.2
	}
	if float64(hs%1000)/1000 < flatShare {
		bs := mix64(hs, 0xb10c)
		a.block = z.stems[bs%uint64(nStems)] + " " + blockTypes[(bs>>20)%uint64(len(blockTypes))]
		a.flat = pos + 1
	} else {
		a.number = q*homesPerSegment + pos + 1
	}
	a.postcode = z.postcode(li, gs, seg)
	return a
}

// postcode returns the postcode of a segment: the street's district and
// sector, and a unit spread so that units within a locality rarely repeat.
func (z *gazetteer) postcode(li int, gs, seg int32) string {
	l := &localities[li]
	hs := mix64(uint64(gs), 0x9057)
	district := l.districts[hs%uint64(len(l.districts))]
	local := int64(seg - z.segStart[z.firstSt[li]])
	// 4,000 units per district: ten sectors of 400 units.
	u := (local*1999 + int64(li)*613) % 4000
	sector := u / 400
	unit := u % 400
	var b strings.Builder
	b.Grow(8)
	b.WriteString(district)
	b.WriteByte(' ')
	b.WriteByte(byte('0' + sector))
	b.WriteByte(inwardLetters[unit/20])
	b.WriteByte(inwardLetters[unit%20])
	return b.String()
}

// mix64 is a fixed 64-bit mixer (SplitMix64's finaliser) for deriving
// stable pseudo-random attributes of places from their indexes.
func mix64(x, salt uint64) uint64 {
	x += salt*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// addrStyle says how an address is written as text.
type addrStyle struct {
	abbrev   bool   // "Rd" for "Road", "Ct" for "Court"
	flatForm int    // 0 "Flat 3, Pennine Court"; 1 "Flat 3 Pennine Court"; 2 "3 Pennine Court"; 3 "Apartment 3, Pennine Court"
	locality bool   // include the locality
	town     bool   // include the post town
	upper    bool   // upper case
	sep      string // between parts
}

func abbreviate(name string) string {
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name
	}
	if a, ok := abbreviations[name[i+1:]]; ok {
		return name[:i+1] + a
	}
	return name
}

// parts returns the address as its lines, without the postcode.
func (a address) parts(st addrStyle) []string {
	street, block := a.street, a.block
	if st.abbrev {
		street, block = abbreviate(street), abbreviate(block)
	}
	var out []string
	if a.flat > 0 {
		n := strconv.Itoa(a.flat)
		switch st.flatForm {
		case 1:
			out = append(out, "Flat "+n+" "+block)
		case 2:
			out = append(out, n+" "+block)
		case 3:
			out = append(out, "Apartment "+n+", "+block)
		default:
			out = append(out, "Flat "+n+", "+block)
		}
		out = append(out, street)
	} else {
		out = append(out, strconv.Itoa(a.number)+" "+street)
	}
	if st.locality && a.locality != a.town {
		out = append(out, a.locality)
	}
	if st.town {
		out = append(out, a.town)
	}
	if st.upper {
		for i := range out {
			out[i] = strings.ToUpper(out[i])
		}
	}
	return out
}

// line returns the address on one line.
func (a address) line(st addrStyle) string {
	sep := st.sep
	if sep == "" {
		sep = ", "
	}
	return strings.Join(a.parts(st), sep)
}

// landlordLines returns the landlord's own three address columns: the first
// line, the second (the street for a flat, the locality for a house) and
// the post town.
func (a address) landlordLines() (line1, line2, town string) {
	if a.flat > 0 {
		return "Flat " + strconv.Itoa(a.flat) + ", " + a.block, a.street, a.town
	}
	line2 = a.locality
	if a.locality == a.town {
		line2 = ""
	}
	return strconv.Itoa(a.number) + " " + a.street, line2, a.town
}

// stock allocates the landlord's homes. The n-th tenancy gets the n-th home
// of a seed-dependent permutation of the landlord's segments, sixteen homes
// at a time, so that consecutive tenancies are neighbours on an estate and
// no two tenancies share a home unless the stock is exhausted. Homes for
// tenancies that must not be near the one they were made with (a second
// identity's tenancy, an earlier tenancy before a transfer) are taken from
// the far end of the same permutation. Past the landlord's stock (a few
// million people) allocation spills into other streets.
type stock struct {
	z          *gazetteer
	ours, rest []int32
	mulA, addA uint64
	mulB, addB uint64
	up, down   int64 // homes taken from the start and from the end
}

func newStock(z *gazetteer, seed uint64) *stock {
	s := &stock{z: z, ours: z.byOwner[ownerUs]}
	s.rest = append(append([]int32(nil), z.byOwner[ownerPrivate]...), z.byOwner[ownerOther]...)
	s.mulA, s.addA = affine(uint64(len(s.ours)), mix64(seed, 1))
	s.mulB, s.addB = affine(uint64(len(s.rest)), mix64(seed, 2))
	return s
}

// affine returns a multiplier coprime to n and an offset, so that
// i -> (a*i+b) mod n permutes 0..n-1.
func affine(n, h uint64) (a, b uint64) {
	if n <= 1 {
		return 1, 0
	}
	a = h%n | 1
	for gcd(a, n) != 1 {
		a += 2
	}
	return a, (h >> 32) % n
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// farShare is the share of the landlord's segments kept for far().
const farShare = 8

// next returns the next home from the start of the permutation.
func (s *stock) next() home {
	i := s.up
	s.up++
	g := uint64(i / homesPerSegment)
	n := uint64(len(s.ours))
	lim := n - n/farShare
	if g < lim {
		return s.z.homeAt(s.ours[s.permOurs(g)], int(i%homesPerSegment))
	}
	g -= lim
	return s.z.homeAt(s.rest[s.permRest(g)], int(i%homesPerSegment))
}

// far returns the next home from the end of the permutation, so that it is
// never near the homes next gives out, and never the same one.
func (s *stock) far() home {
	i := s.down
	s.down++
	g := uint64(i / homesPerSegment)
	n := uint64(len(s.ours))
	if g < n/farShare {
		return s.z.homeAt(s.ours[s.permOurs(n-1-g)], int(i%homesPerSegment))
	}
	g -= n / farShare
	m := uint64(len(s.rest))
	return s.z.homeAt(s.rest[s.permRest(m-1-g%m)], int(i%homesPerSegment))
}

func (s *stock) permOurs(g uint64) uint64 { return (s.mulA*g + s.addA) % uint64(len(s.ours)) }
func (s *stock) permRest(g uint64) uint64 {
	m := uint64(len(s.rest))
	return (s.mulB*(g%m) + s.addB) % m
}

// Package encodebench benchmarks pseudonymisation: encoding a synthetic UK
// population of one million people with pseudo.Encoder, on every core, and
// checks the similarity encodings against the FEBRL4 ground truth.
package encodebench

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// Name and street lists, most common first. Ranks are drawn from a Zipf
// distribution, which gives the heavy head and long tail of real name
// frequencies; rare surnames and forenames are made up from syllables.
var (
	forenames = strings.Fields(`james john david michael robert paul peter mark andrew richard christopher
		stephen daniel thomas william matthew anthony steven gary kevin ian alan brian george jack joseph
		harry oliver samuel benjamin jonathan simon lee craig adam ryan liam jamie nathan luke edward charles
		kenneth ronald dennis keith colin graham martin neil philip shaun wayne dean mohammed muhammad ali
		imran tariq rajesh sanjay piotr tomasz krzysztof kwame declan connor callum kieran aaron dylan ethan
		noah alfie frederick albert arthur leonard stanley terence derek sarah elizabeth margaret susan karen
		helen emma julie lisa claire jennifer nicola amanda rachel laura michelle jessica louise patricia mary
		linda barbara jean joan dorothy irene pauline christine janet ann anne catherine kathleen sandra
		deborah angela tracey joanne samantha victoria rebecca hannah charlotte sophie emily olivia amelia
		isla ava grace chloe lucy ellie megan jade holly amy zoe zoë siobhán aoife niamh fatima aisha ayesha
		priya anita agnieszka katarzyna magdalena chidi ngozi bob rob bobby kate katie liz beth sue jim jimmy
		bill billy tom tommy dave danny mike mick chris steve tony pat maggie peggy jenny jen sam alex`)
	surnames = strings.Fields(`smith jones williams taylor brown davies evans wilson thomas johnson roberts
		robinson thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson wood
		turner martin cooper hill ward morris moore clark lee king baker harrison morgan allen james scott
		phillips watson davis parker price bennett young griffiths mitchell kelly cook carter richardson
		bailey collins bell shaw murphy miller cox richards khan marshall anderson simpson ellis adams singh
		begum wilkinson foster chapman powell webb rogers gray mason ali hunt hussain campbell matthews owen
		palmer holmes mills barnes knight lloyd butler russell barker fisher stevens jenkins murray dixon
		harvey graham pearson ahmed fletcher walsh kaur gibson howard andrews stewart elliott reynolds
		saunders payne fox ford pearce day brooks west lawrence cole atkinson bradley spencer gill dawson
		ball burton o'brien mcdonald macdonald o'connor smith-jones ap-rhys van-der-berg nowak kowalski
		wiśniewski okafor adeyemi mensah nguyen chen wong`)
	streets = strings.Fields(`high church station victoria park mill london manor green queens kings new
		grange school albert springfield north south west east chapel main windsor york alexandra richmond
		george broadway meadow orchard oak elm ash beech cedar willow birch holly maple chestnut priory abbey
		castle bridge market princes moor hill valley river brook lake forest field farm heath common`)
	streetTypes = []string{"road", "rd", "street", "st", "avenue", "ave", "lane", "close", "drive", "way",
		"crescent", "gardens", "court", "place", "grove", "terrace"}
	towns = strings.Fields(`stockport manchester salford oldham rochdale bolton wigan bury trafford
		tameside leeds bradford sheffield liverpool birmingham coventry leicester nottingham derby bristol`)
	areas = []string{"SK", "M", "OL", "BL", "WN", "WA", "LS", "BD", "S", "L", "B", "CV", "LE", "NG", "DE", "BS"}
	syl   = strings.Fields(`ab ad al an ar as ash bar ber bri by car cha chi dal den der don el en er
		fal fen ford gar gil ham har hen hol ing kin lan ley lin lo mar mer mont mor nor ock ol or pen
		ran rid ros sal son ston ter thorn ton tre val ver well wick win wood worth`)
	inward = "ABDEFGHJLNPQRSTUWXYZ"
)

// zipf draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s.
type zipf struct{ cdf []float64 }

func newZipf(n int, s float64) zipf {
	cdf := make([]float64, n)
	sum := 0.0
	for i := range cdf {
		sum += 1 / math.Pow(float64(i+1), s)
		cdf[i] = sum
	}
	for i := range cdf {
		cdf[i] /= sum
	}
	return zipf{cdf}
}

func (z zipf) draw(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(z.cdf)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if z.cdf[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// population generates synthetic people deterministically from a seed.
type population struct {
	r                        *rand.Rand
	forename, surname, place zipf
	postcodes                []string
	streetNames              []string
}

func newPopulation(seed uint64) *population {
	p := &population{r: rand.New(rand.NewPCG(seed, 0x5eed))}
	// The tails: 6,000 made-up forenames and 60,000 made-up surnames
	// beyond the listed ones.
	p.forename = newZipf(len(forenames)+6000, 1.05)
	p.surname = newZipf(len(surnames)+60000, 0.95)
	for i := 0; i < 40000; i++ {
		a := areas[p.r.IntN(len(areas))]
		pc := a + strconv.Itoa(1+p.r.IntN(20)) + " " + strconv.Itoa(p.r.IntN(10)) +
			string(inward[p.r.IntN(len(inward))]) + string(inward[p.r.IntN(len(inward))])
		p.postcodes = append(p.postcodes, pc)
	}
	p.place = newZipf(len(p.postcodes), 0.5)
	for _, s := range streets {
		for _, t := range streetTypes {
			p.streetNames = append(p.streetNames, s+" "+t)
		}
	}
	return p
}

// made makes up the i-th rare name from syllables.
func made(i int) string {
	n := len(syl)
	return syl[i%n] + syl[(i/n)%n] + syl[(i/n/n)%n]
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// styled writes a name as exports do: mostly capitalised, some upper case.
func (p *population) styled(s string) string {
	switch p.r.IntN(10) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return " " + s + " "
	}
	return title(s)
}

func (p *population) forenameAt(rank int) string {
	if rank < len(forenames) {
		return forenames[rank]
	}
	return made(rank * 7)
}

func (p *population) surnameAt(rank int) string {
	if rank < len(surnames) {
		return surnames[rank]
	}
	return made(rank*13 + 5)
}

// person returns the i-th synthetic person.
func (p *population) person(i int) person.Record {
	r := p.r
	rec := person.Record{
		RecordID:    "P" + strconv.Itoa(i),
		Forename:    p.styled(p.forenameAt(p.forename.draw(r))),
		Surname:     p.styled(p.surnameAt(p.surname.draw(r))),
		TenancyRef:  "TEN-" + strconv.Itoa(i/2),
		TenancyRole: "lead",
	}
	if r.IntN(10) < 4 {
		rec.MiddleNames = title(p.forenameAt(p.forename.draw(r)))
	}
	if r.IntN(50) > 0 {
		rec.DOB = date.FromDays(int32(-14600 + r.IntN(27000))) // 1930 to 2003
	}
	house := strconv.Itoa(1 + r.IntN(180))
	street := p.streetNames[r.IntN(len(p.streetNames))]
	town := towns[r.IntN(len(towns))]
	switch r.IntN(5) {
	case 0:
		rec.Address = "Flat " + strconv.Itoa(1+r.IntN(30)) + ", " + house + " " + title(street) + ", " + title(town)
	default:
		rec.Address = house + " " + title(street) + ", " + title(town)
	}
	if r.IntN(20) > 0 {
		rec.Postcode = p.postcodes[p.place.draw(r)]
	}
	if r.IntN(10) < 9 {
		rec.NINumber = string("ABCEGHJKLMNPRSTWXYZ"[r.IntN(19)]) + string("ABCEGHJKLMNPRSTWXYZ"[r.IntN(19)]) +
			strconv.Itoa(100000+r.IntN(900000)) + string("ABCD"[r.IntN(4)])
	}
	if r.IntN(10) < 7 {
		rec.Phone = "07700 9" + strconv.Itoa(10000+r.IntN(90000))
	}
	if r.IntN(10) < 6 {
		rec.Email = strings.ToLower(strings.TrimSpace(rec.Forename)) + "." + strconv.Itoa(i) + "@example.org"
	}
	if r.IntN(2) == 0 {
		rec.UPRN = strconv.Itoa(100000000000 + i)
	}
	rec.TenancyStart = date.MustOf(2000+r.IntN(24), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	rec.Balance = money.Pence(r.IntN(200000) - 20000)
	return rec
}

// people returns n synthetic people.
func people(seed uint64, n int) []person.Record {
	p := newPopulation(seed)
	out := make([]person.Record, n)
	for i := range out {
		out[i] = p.person(i)
	}
	return out
}

package link

// Name lists for the synthetic population: common UK forenames by sex and
// surnames, each with a rough relative frequency. Rare surnames are made
// up from syllables (see surname), which gives the long tail that real
// surname distributions have.

type weighted struct {
	name   string
	weight float64
}

var maleForenames = []weighted{
	{"James", 30}, {"John", 28}, {"David", 26}, {"Michael", 24}, {"Robert", 20}, {"Paul", 18}, {"Peter", 16},
	{"Mark", 15}, {"Andrew", 15}, {"Richard", 14}, {"Christopher", 14}, {"Stephen", 13}, {"Daniel", 13},
	{"Thomas", 13}, {"William", 13}, {"Matthew", 12}, {"Anthony", 10}, {"Steven", 10}, {"Gary", 9},
	{"Kevin", 9}, {"Ian", 9}, {"Alan", 8}, {"Brian", 8}, {"George", 8}, {"Jack", 8}, {"Joseph", 8},
	{"Harry", 7}, {"Oliver", 7}, {"Samuel", 7}, {"Benjamin", 7}, {"Jonathan", 6}, {"Simon", 6}, {"Lee", 6},
	{"Craig", 5}, {"Adam", 5}, {"Ryan", 5}, {"Liam", 5}, {"Jamie", 5}, {"Nathan", 4}, {"Luke", 4},
	{"Edward", 4}, {"Charles", 4}, {"Kenneth", 4}, {"Ronald", 3}, {"Dennis", 3}, {"Keith", 3}, {"Colin", 3},
	{"Graham", 3}, {"Martin", 4}, {"Neil", 3}, {"Philip", 4}, {"Shaun", 2}, {"Wayne", 2}, {"Dean", 2},
	{"Mohammed", 6}, {"Muhammad", 4}, {"Ali", 2}, {"Imran", 2}, {"Tariq", 1}, {"Rajesh", 1}, {"Sanjay", 1},
	{"Piotr", 1}, {"Tomasz", 1}, {"Krzysztof", 1}, {"Kwame", 1}, {"Oluwaseun", 1}, {"Declan", 2}, {"Connor", 3},
	{"Callum", 3}, {"Kieran", 2}, {"Aaron", 3}, {"Dylan", 2}, {"Ethan", 3}, {"Noah", 2}, {"Alfie", 2},
	{"Frederick", 2}, {"Albert", 2}, {"Arthur", 3}, {"Leonard", 2}, {"Stanley", 2}, {"Terence", 2}, {"Derek", 2},
}

var femaleForenames = []weighted{
	{"Sarah", 22}, {"Elizabeth", 20}, {"Margaret", 18}, {"Susan", 17}, {"Karen", 15}, {"Helen", 15},
	{"Emma", 15}, {"Julie", 14}, {"Lisa", 14}, {"Claire", 13}, {"Jennifer", 12}, {"Nicola", 12}, {"Amanda", 11},
	{"Patricia", 11}, {"Mary", 14}, {"Deborah", 9}, {"Joanne", 9}, {"Rachel", 9}, {"Laura", 10}, {"Rebecca", 10},
	{"Jessica", 9}, {"Charlotte", 10}, {"Hannah", 9}, {"Sophie", 9}, {"Emily", 10}, {"Olivia", 8}, {"Amelia", 7},
	{"Jade", 5}, {"Gemma", 6}, {"Kelly", 6}, {"Michelle", 8}, {"Louise", 7}, {"Victoria", 7}, {"Catherine", 8},
	{"Katherine", 5}, {"Christine", 6}, {"Janet", 6}, {"Barbara", 6}, {"Dorothy", 5}, {"Joan", 5}, {"Jean", 5},
	{"Irene", 3}, {"Doreen", 3}, {"Pauline", 4}, {"Linda", 7}, {"Carol", 6}, {"Angela", 6}, {"Tracey", 5},
	{"Dawn", 4}, {"Donna", 4}, {"Samantha", 6}, {"Natalie", 5}, {"Danielle", 4}, {"Stacey", 3}, {"Chloe", 6},
	{"Megan", 5}, {"Lauren", 5}, {"Abigail", 4}, {"Grace", 5}, {"Ella", 4}, {"Isla", 3}, {"Ava", 3},
	{"Fatima", 3}, {"Ayesha", 2}, {"Aisha", 2}, {"Priya", 1}, {"Anjali", 1}, {"Agnieszka", 1}, {"Katarzyna", 1},
	{"Chiamaka", 1}, {"Grainne", 1}, {"Siobhan", 2}, {"Niamh", 2}, {"Bethany", 3}, {"Zoe", 3}, {"Kirsty", 3},
	{"Wendy", 3}, {"Sandra", 5}, {"Valerie", 3}, {"Shirley", 3}, {"Brenda", 3}, {"Sheila", 3}, {"Maureen", 3},
}

// nicknames maps a forename to familiar forms of it.
var nicknames = map[string][]string{
	"Robert": {"Bob", "Rob", "Bobby"}, "William": {"Bill", "Will", "Billy"}, "James": {"Jim", "Jimmy", "Jamie"},
	"John": {"Jack", "Johnny"}, "Michael": {"Mike", "Mick"}, "Richard": {"Rick", "Dick", "Richie"},
	"Christopher": {"Chris"}, "Stephen": {"Steve"}, "Steven": {"Steve"}, "Daniel": {"Dan", "Danny"},
	"Thomas": {"Tom", "Tommy"}, "Matthew": {"Matt"}, "Anthony": {"Tony"}, "Joseph": {"Joe"}, "Andrew": {"Andy", "Drew"},
	"Samuel": {"Sam"}, "Benjamin": {"Ben"}, "Jonathan": {"Jon"}, "Edward": {"Ed", "Eddie", "Ted"},
	"Charles": {"Charlie", "Chas"}, "Kenneth": {"Ken", "Kenny"}, "Ronald": {"Ron", "Ronnie"}, "Frederick": {"Fred", "Freddie"},
	"Albert": {"Bert", "Albie"}, "Leonard": {"Len", "Lenny"}, "Terence": {"Terry"}, "Philip": {"Phil"},
	"Elizabeth": {"Liz", "Beth", "Betty", "Lizzie"}, "Margaret": {"Maggie", "Peggy", "Meg"}, "Susan": {"Sue", "Susie"},
	"Jennifer": {"Jenny", "Jen"}, "Patricia": {"Pat", "Patsy"}, "Deborah": {"Debbie", "Debs"}, "Rebecca": {"Becky"},
	"Catherine": {"Cathy", "Kate"}, "Katherine": {"Kate", "Kathy", "Katie"}, "Victoria": {"Vicky", "Tori"},
	"Samantha": {"Sam", "Sammy"}, "Abigail": {"Abby"}, "Christine": {"Chris", "Chrissie"}, "Dorothy": {"Dot", "Dottie"},
	"Pauline": {"Polly"}, "Barbara": {"Barb"}, "Jessica": {"Jess"}, "Charlotte": {"Lottie", "Charlie"},
	"Nicola": {"Nicky"}, "Amanda": {"Mandy"}, "Alan": {"Al"}, "Alexander": {"Alex"},
}

var surnames = []weighted{
	{"Smith", 55}, {"Jones", 40}, {"Williams", 28}, {"Taylor", 27}, {"Brown", 26}, {"Davies", 22}, {"Evans", 18},
	{"Wilson", 17}, {"Thomas", 16}, {"Johnson", 16}, {"Roberts", 15}, {"Robinson", 14}, {"Thompson", 14},
	{"Wright", 14}, {"Walker", 13}, {"White", 13}, {"Edwards", 12}, {"Hughes", 12}, {"Green", 12}, {"Hall", 12},
	{"Lewis", 11}, {"Harris", 11}, {"Clarke", 11}, {"Patel", 11}, {"Jackson", 11}, {"Wood", 10}, {"Turner", 10},
	{"Martin", 10}, {"Cooper", 10}, {"Hill", 10}, {"Ward", 10}, {"Morris", 9}, {"Moore", 9}, {"Clark", 9},
	{"Lee", 9}, {"King", 9}, {"Baker", 9}, {"Harrison", 9}, {"Morgan", 9}, {"Allen", 8}, {"James", 8},
	{"Scott", 8}, {"Phillips", 8}, {"Watson", 8}, {"Davis", 8}, {"Parker", 8}, {"Price", 7}, {"Bennett", 7},
	{"Young", 7}, {"Griffiths", 7}, {"Mitchell", 7}, {"Kelly", 7}, {"Cook", 7}, {"Carter", 7}, {"Richardson", 7},
	{"Bailey", 6}, {"Collins", 6}, {"Bell", 6}, {"Shaw", 6}, {"Murphy", 6}, {"Miller", 6}, {"Cox", 6},
	{"Richards", 6}, {"Khan", 6}, {"Marshall", 6}, {"Anderson", 6}, {"Simpson", 5}, {"Ellis", 5}, {"Adams", 5},
	{"Singh", 6}, {"Begum", 5}, {"Wilkinson", 5}, {"Foster", 5}, {"Chapman", 5}, {"Powell", 5}, {"Webb", 5},
	{"Rogers", 5}, {"Gray", 5}, {"Mason", 5}, {"Ali", 5}, {"Hunt", 5}, {"Hussain", 5}, {"Campbell", 5},
	{"Matthews", 5}, {"Owen", 5}, {"Palmer", 5}, {"Holmes", 5}, {"Mills", 5}, {"Barnes", 5}, {"Knight", 5},
	{"Lloyd", 5}, {"Butler", 5}, {"Russell", 5}, {"Barker", 5}, {"Fisher", 5}, {"Stevens", 5}, {"Jenkins", 5},
	{"Murray", 4}, {"Dixon", 4}, {"Harvey", 4}, {"Graham", 4}, {"Pearson", 4}, {"Ahmed", 4}, {"Fletcher", 4},
	{"Walsh", 4}, {"Kaur", 4}, {"Gibson", 4}, {"Howard", 4}, {"Andrews", 4}, {"Stewart", 4}, {"Elliott", 4},
	{"Reynolds", 4}, {"Saunders", 4}, {"Payne", 4}, {"Fox", 4}, {"Ford", 4}, {"Pearce", 4}, {"Day", 4},
	{"Brooks", 4}, {"West", 4}, {"Lawrence", 4}, {"Cole", 4}, {"Atkinson", 4}, {"Bradley", 4}, {"Spencer", 4},
	{"Gill", 3}, {"Dawson", 3}, {"Ball", 3}, {"Burton", 3}, {"O'Brien", 3}, {"Watts", 3}, {"Rose", 3},
	{"Booth", 3}, {"Perry", 3}, {"Ryan", 3}, {"Grant", 3}, {"Wells", 3}, {"Armstrong", 3}, {"Francis", 3},
	{"Rees", 3}, {"Hayes", 3}, {"Hart", 3}, {"Hudson", 3}, {"Newman", 3}, {"Barrett", 3}, {"Webster", 3},
	{"Hunter", 3}, {"Gregory", 3}, {"Carr", 3}, {"Lowe", 3}, {"Page", 3}, {"Marsh", 3}, {"Riley", 3},
	{"Dunn", 3}, {"Woods", 3}, {"Parsons", 3}, {"Berry", 3}, {"Stone", 3}, {"Reid", 3}, {"Holland", 3},
	{"Hawkins", 3}, {"Harding", 3}, {"Porter", 3}, {"Robertson", 3}, {"Newton", 3}, {"Oliver", 3}, {"Reed", 3},
	{"Kennedy", 3}, {"Williamson", 3}, {"Bird", 3}, {"Gardner", 3}, {"Shah", 3}, {"Dean", 3}, {"Lane", 3},
	{"Cooke", 3}, {"Bates", 3}, {"Henderson", 3}, {"Parry", 3}, {"Burgess", 3}, {"Bishop", 3}, {"Walton", 3},
	{"Burns", 3}, {"Nicholson", 3}, {"Shepherd", 3}, {"Ross", 3}, {"Cross", 3}, {"Long", 3}, {"Freeman", 3},
	{"Warren", 3}, {"Nicholls", 3}, {"Hamilton", 3}, {"Byrne", 3}, {"Sutton", 3}, {"McDonald", 3}, {"Yates", 3},
	{"Hodgson", 3}, {"Robson", 3}, {"Curtis", 3}, {"Hopkins", 3}, {"O'Connor", 3}, {"Harper", 3}, {"Coleman", 3},
	{"Kowalski", 1}, {"Nowak", 1}, {"Wisniewska", 1}, {"Okafor", 1}, {"Adeyemi", 1}, {"Mensah", 1}, {"Chowdhury", 2},
	{"Rahman", 2}, {"Islam", 2}, {"Mahmood", 2}, {"Iqbal", 2}, {"Akhtar", 2}, {"Sharma", 2}, {"Gupta", 1},
}

// Syllables for made-up surnames.
var (
	onsets = []string{"B", "Br", "C", "Ch", "Cl", "D", "Dr", "F", "G", "Gr", "H", "J", "K", "L", "M", "N", "P", "Pr", "R", "S", "Sh", "St", "T", "Th", "W", "Wh"}
	nuclei = []string{"a", "e", "i", "o", "u", "ea", "ai", "ou", "ee", "oo"}
	codas  = []string{"b", "ck", "d", "ff", "g", "ll", "m", "n", "nd", "ng", "nt", "p", "r", "rd", "rn", "rt", "s", "ss", "t", "tt", "x"}
	ends   = []string{"", "", "er", "ley", "ton", "son", "ham", "field", "wood", "well", "by", "man", "ford", "worth", "ridge", "ing", "es", "s"}
)

var streets = []string{
	"Church", "Station", "Victoria", "Park", "Queens", "Kings", "Mill", "Manor", "Green", "School", "High", "Chapel",
	"Windsor", "Albert", "York", "Grange", "Springfield", "Highfield", "Beech", "Oak", "Elm", "Ash", "Cedar", "Willow",
	"Meadow", "Orchard", "Brook", "River", "Hill", "Lime", "Stanley", "Newton", "Garden", "Mount", "Castle", "Bridge",
	"Grove", "Hollin", "Moss", "Heath", "Moor", "Brinnington", "Reddish", "Edgeley", "Offerton", "Marple", "Cheadle",
	"Bramhall", "Hazel", "Heaton", "Lancaster", "Wellington", "Nelson", "Alexandra", "Chester", "Derby", "Carlton",
}

var streetTypes = []struct{ full, short string }{
	{"Road", "Rd"}, {"Street", "St"}, {"Avenue", "Ave"}, {"Lane", "Ln"}, {"Close", "Cl"}, {"Drive", "Dr"},
	{"Crescent", "Cres"}, {"Grove", "Gr"}, {"Way", "Way"}, {"Court", "Ct"}, {"Place", "Pl"}, {"Terrace", "Ter"},
}

var towns = []string{"Stockport", "Cheadle", "Hyde", "Manchester", "Macclesfield", "Glossop", "Stalybridge", "Marple", "Bredbury", "Denton"}

var postcodeAreas = []string{"SK1", "SK2", "SK3", "SK4", "SK5", "SK6", "SK7", "SK8", "SK9", "SK10", "SK11", "SK12", "SK13", "SK14", "SK15", "SK16", "M19", "M34", "M20", "M22"}

var emailDomains = []string{"gmail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com", "btinternet.com", "icloud.com", "live.co.uk"}

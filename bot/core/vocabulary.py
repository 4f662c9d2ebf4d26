"""Word lists the personal-data screen reads: ordinary policing English, and sensitive words.

Plain data, kept apart from the rules in `screening` so the rules stay short to read. Ordinary
words are given in their base form; the screen also recognises their plurals and their -ed and
-ing forms ("update", "Updates", "Updated", "Updating").
"""

from __future__ import annotations

# Words that follow "victim", "spoke to", "Mr"... in ordinary notes, often capitalised when an
# officer writes in title case: they are never read as a name.
_ORDINARY = """
    a about above absent abuse accept access according account accuse across act action
    active actual add additional address adequate adjourn admin admit adult advice advise
    advocacy advocate affect after afternoon again against age agency agree aid alarm alcohol
    alert all allegation allege allocate allow alone along already also alternative although
    always amend an analysis and anonymity another answer any anyone anything apologise appeal
    appear applicable application apply appoint appointment appropriate approve area arrange
    arrest arrive as ask assault assess assessment assist at attempt attend attendance
    attrition authorise available avoid await aware away

    back background bad bail be because become been before begin behalf behind being believe
    below best between book both breach brief bring build but by

    call came can cancel cannot care carry case caution cctv centre chance change charge chase
    check child children choice choose circulate claim clarify clear close code cohort
    collect come comment communication community complain complaint complete concern condition
    conference confirm consent consider contact continue control correct could council count
    court cover crime criminal crisis crown current custody

    daily data date day deal decide decision decline delay deliver deny describe description
    detail detain detective determine develop did digital direct disclose disclosure discuss
    distress do does done down download draft due during duty

    each early effort either else email end engage engagement enough enquire enquiry ensure
    enter entire equal escalate evening event every evidence exam examine exhibit expect
    explain extend extension

    face family fear female few file final find fine first flag follow for force form formal
    forward found friday from full further future

    gather general get give go good got guidance guilty

    had half hand handle happen happy harm has have he hear hearing help her here hers herself
    high him himself his history hold home hospital hour house how however

    i id identification identify if immediate impact important in incident include inform
    information initial injury inquiry instead intend intelligence interim interview into
    intimidate investigate investigation investigator involve is issue it item its itself

    join just

    keep kept kind know known

    last late later lead leaflet least leave led left legal less letter level liaise liaison
    like likely line link list listen live local locate location log long look lost

    made magistrates main make male manage management manager many marker matter may me means
    measure meet meeting member message met midnight might mobile moment monday month more
    morning most move much must my myself

    name national need never new next night no nobody none nor not note nothing notify now
    number

    obtain occur of off offence offer office officer often on once one ongoing only open
    operation option or order other our out outcome outside outstanding over own

    page paperwork part partial pass past pending people person personal phone photo place
    plan please point police policy positive possible post pre prefer prepare present press
    previous prior priority proceed process profile progress prosecute prosecution protect
    protection protective provide public

    query question quick quite

    raise re reach read ready really reason receive record recover refer referral refuse
    regard regular release relevant remain remand remind remote repeat report represent request
    require result retract retraction return review right risk role

    safe safeguard safeguarding safety said same saturday say scene schedule school search
    second section secure see seek seen seize send senior sent serious service session set
    several sexual share she short should show sign since single so some someone something
    soon speak special specialist spoke spoken staff stage start statement status stay step
    still stop strategy strong submit such suitable summary sunday supervise supervision
    supervisor support sure

    take taken talk team tell than thank that the their theirs them then there these they
    thing think third this those though through thursday till time to today told tomorrow too
    trace track transfer trauma trial tried true try tuesday

    under unit unknown until up update upon urgent us use

    verbal very via video view visit voluntary vulnerability vulnerable

    wait want warrant was we wednesday week weekly welfare well went were what when where
    whether which while who whole whom whose why will wish with withdraw withdrawal withdrawn
    within without witness work would write written

    yes yesterday yet you your

    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun

    able absence accommodation accurate achieve acknowledge actual additional adjournment
    adverse advance affidavit afraid agenda aggravate agreement aim alibi alleged allocation
    alternative ambulance amount analyst anniversary anxious apparent approach approval
    approximate archive argument armed arrangement arrival article aspect assurance
    attitude audio audit authority automatic average award

    bank barrier base basic basis battery bed benefit big bill birth blood board body bodycam
    bone box breakdown brother burden business

    calendar camera capacity car card career case-file category cause cell certain chain
    chair challenge chapter character charity chart chat check-in checklist chief choice
    civil claim class clean clerk client clinic closure clothes clothing clue cold collar
    colleague comms comment commitment common company compensation complex compliance
    computer concern conclusion conduct confidence confidential conflict confusion
    consultation contract contradiction conversation conviction copy core corner cost
    counsel counselling counsellor count country couple course cousin crisis critical cross
    culture cut

    damage danger dark database deadline dear debrief decade defence degree delivery demand
    department deputy desk detention device diary difference difficult direction director
    disability discharge discussion dispute distance district division doctor document dog
    domestic door doubt drink drug duplicate

    ease education effect element email emergency employment empty energy enforcement
    entry environment error escort essential estate evaluation evening evidential exact
    example exception exchange excuse exercise exhibit existing expert explanation extra eye

    fact factor failure fair false feedback feeling field figure finding finger firearm
    firm flat floor folder food footage forensic forensics form format frame free frequency
    friend front fund funding

    gap gate gold bronze silver grade ground group growth guard guidance guideline

    hair handset hard head health heavy hi hit holiday honest hope hospital hotel
    household housing hub

    idea image incident income increase independent index individual initial input inquest
    inside insight instruction insurance interest interim internal interpreter intervention
    intimate invite invoice involvement

    job journey judge judgement jury justice juvenile

    key kit knife knowledge

    lab laboratory language laptop law lawyer layout leader learning lesson level liability
    licence life light limit listing literature loan lock logbook loss lot low

    machine mail major majority map mark master match material maximum meal media medical
    medium memory mental method minimum minor minute mistake mode model money monitor
    motive movement

    narrative natural nature negative neighbourhood network neutral news nominal normal
    notebook notice

    object objective observation occasion odd offer official ongoing online opinion
    opportunity oral original outline overall overview owner

    pack package pain panel paper parent parole partner party passport pattern pause
    payment peer penalty period permission phase photograph physical picture piece pilot
    pocket portal position potential power practice practical precise preference pressure
    principle privacy private probation problem procedure product professional programme
    project proof property proposal prosecutor provision psychological purpose

    quality quantity quarter

    range rate reaction reality recall recommendation recovery reference reflection
    regulation relationship reliable relief remark repair reply requirement research
    resource respect response responsibility rest restriction reward room round route rule
    rumour

    sample scale scheme screen script seat secret security sense sentence series session
    setting severe shift shop sight signal situation skill social software solicitor source
    space speech speed spreadsheet standard standards state statistics stock storage store
    story strain street stress structure student subject success suggestion summons
    surveillance suspicion system

    table tablet target task tax technical technique telephone template term test text theory
    thread threat ticket timeline title tone tool topic total training transcript translation
    transport travel treatment trend trigger trust truth turn type

    uniform upgrade usual

    value variety vehicle version victimless viewing violence visitor voice volume

    wall warning waste weapon weather website weekend weight wellbeing window word worker
    workload worry

    youth zone
    rape sexual domestic stalking harassment coercive coercion grooming exploitation
    navigator inspector sergeant constable detective superintendent chief two three four five
    withdrew dob hub helpline advocate champion coordinator co-ordinator lead officer
    crimestoppers childline samaritans nspcc barnardo's
    unidentified unidentify identified unnamed named nil n/a tbc tba
    led focus focused focussed centred centered care-experienced
    anonymous anonymised initials
"""

# Organisations, services and forms that follow a capitalised word: "Anytown Police" names a
# place and an organisation, not a person.
_ORGANISATION = """
    police constabulary council court courts hospital station school academy college
    university cps services service trust team unit centre center crisis support aid
    partnership authority office prison probation housing nhs sarc surgery practice
    """

# Police and criminal-justice acronyms that appear in capitals in ordinary notes.
_ACRONYMS = """
    abe acpo ai anpr asb asbo bwv cad cctv cid cjsm cms cps crb csi cso dbs dc dci dcs ddi
    di dmi dna dpa dpo dr ds dsu dvla dvpn dvpo dwp eia fme fsp gp grh idva iic iop ip isva
    kpi lado lsa mappa marac mash mg mo mops nca ndnad nfa nhs ni nom npcc oic op pace pc pcc
    pip pnc pnd ps ptph rasso rms rui sarc scas sgt shpo sio soit solo sopo spoc sro supt
    tbc tic vrr vps vri wcu yot csc csi dems psd mps gmp wyp syp nyp tvp btp psnc psni colp
    wmp gwp nca ipcc iopc hmcts cjs lcjb sch sdv ssv dva vawg joim asap fyi eta
"""

# Health: on a victim-focused item, a word of these names a condition, not a process.
HEALTH_PATTERNS = (
    r"pregnan(?:t|cy)",
    r"miscarr(?:y|ied|iage|iages)",
    r"abortion",
    r"overdos(?:e|ed|es|ing)",
    r"od'd",
    r"sectioned",
    r"mental\s+(?:health|illness|breakdown)",
    r"psychiatric",
    r"psycho(?:sis|tic)",
    r"schizo\w*",
    r"bipolar",
    r"depress(?:ion|ed)",
    r"anxiety",
    r"panic\s+attacks?",
    r"ptsd",
    r"self[\s-]?harm\w*",
    r"suicid\w*",
    r"eating\s+disorder",
    r"anorexi\w*",
    r"bulimi\w*",
    r"autis\w*",
    r"adhd",
    r"learning\s+disabilit(?:y|ies)",
    r"dementia",
    r"hiv",
    r"hepatitis",
    r"stis?",
    r"chlamydia",
    r"gonorrh\w*",
    r"herpes",
    r"syphilis",
    r"cancer",
    r"diabet\w*",
    r"epilep\w*",
    r"seizures?",
    r"deaf",
    r"blind",
    r"partially\s+sighted",
    r"wheelchair",
    r"disabled",
    r"disability",
    r"antidepressants?",
    r"medication",
    r"methadone",
    r"rehab",
    r"alcoholi(?:c|sm)",
    r"addict(?:ed|ion)?",
    r"crisis\s+team",
    r"cmht",
    r"cerebral\s+palsy",
    r"multiple\s+sclerosis",
    r"brain\s+injury",
    r"personality\s+disorder",
    r"eupd",
    r"ocd",
    r"down'?s\s+syndrome",
    r"dyslexi\w*",
    r"(?:hearing|visually)\s+impaired",
    r"heart\s+condition",
    r"had\s+a\s+stroke",
    r"asthma\w*",
    r"ivf",
    r"hpv",
    r"sexually\s+transmitted",
    r"terminally\s+ill",
    r"chemo\w*",
    r"dialysis",
    r"paralysed",
    r"anti-?psychotics?",
    r"sertraline|fluoxetine|citalopram|mirtazapine|diazepam",
    r"meds",
    r"psych(?:iatric)?\s+(?:ward|unit|hospital)",
    r"in\s+hospital",
    r"hospitali[sz]ed",
    r"admitted\s+to\s+hospital",
)

# Religion: on a victim-focused item, faith is a special category of its own.
RELIGION_PATTERNS = (
    r"muslims?",
    r"islam(?:ic)?",
    r"christians?",
    r"christianity",
    r"catholics?",
    r"protestants?",
    r"anglican",
    r"methodist",
    r"baptist",
    r"evangelical",
    r"pentecostal",
    r"jewish",
    r"jews?",
    r"judaism",
    r"orthodox\s+jew\w*",
    r"sikhs?",
    r"sikhism",
    r"hindus?",
    r"hinduism",
    r"buddhists?",
    r"buddhism",
    r"jehovah'?s?\s+witness(?:es)?",
    r"mormons?",
    r"rastafarian",
    r"religio(?:n|us)",
    r"mosque",
    r"church",
    r"synagogue",
    r"gurdwara",
    r"mandir",
    r"temple",
    r"imam",
    r"vicar",
    r"priest",
    r"rabbi",
    r"pastor",
    r"ramadan",
    r"eid",
    r"diwali",
    r"yom\s+kippur",
    r"passover",
    r"shabbat",
    r"hijab",
    r"niqab",
    r"bur[kq]as?",
    r"kippah",
)

ORDINARY_WORDS: frozenset[str] = frozenset(_ORDINARY.split())
ORGANISATION_WORDS: frozenset[str] = frozenset(_ORGANISATION.split())
ACRONYMS: frozenset[str] = frozenset(_ACRONYMS.split())

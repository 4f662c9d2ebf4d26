"""Common given names and surnames in the UK, as data for the personal-data screen.

The lists are broad rather than complete: people of every generation and of the communities
most often met in English and Welsh policing. A name that is also an everyday word ("Will",
"Grace", "Chase", "May") is kept apart, because alone it says nothing; it counts as a name only
where the sentence says a person is meant ("victim Grace", "spoke to Will", "Dawn Smith").
"""

from __future__ import annotations

_GIVEN = """
    aaliyah abbie abby abdul abdullah abigail abimbola adaeze adam adele adil adrian agnes
    agnieszka ahmad ahmed aidan aiden ailsa aimee aisha aishah alan alana alastair albert alex
    alexa alexander alexandra alexis alfie ali alice alicia alisha alison alistair allan allison
    alma amanda amara amelia amina amir amira amy ana andre andrea andreea andrei andrew andy
    aneesa angela angelina angus anika anil anita anjali ann anna annabel anne annette annie
    anthony antonia anya aoife arabella archie arjun arlo arran arthur arun asha ashleigh ashley
    asif asma aurora ava ayaan ayesha aziz

    barbara barry bartosz beatrice becca becky ben benjamin bernadette bernard beth bethan bethany
    betty beverley bilal billie billy blessing bobby bogdan bradley brandon brendan brenda brett
    brian bridget brittany bronwen bruce bryony

    caitlin callum calum cameron camilla cara carl carla carly carmen caroline carolyn cassie
    catherine cathy catrin cerys chanel chantelle charlene charles charlie charlotte chelsie
    cherie cheryl chidi chidinma chinedu chloe chris christina christine christopher
    ciara ciaran cieran claire clara clare clive cody colin colleen conor connor corey courtney
    craig cristina cynthia

    daisy damian damien dan dana danielle daniel danny daria darius darren daryl dave david
    davina dawid dean debbie debra deborah declan delroy demi denise dennis derek dermot desmond
    diana diane dianne dimitri dominic dominika donna dougie douglas duncan dylan

    eamon eamonn edward edwin eileen eilidh elaine eleanor elena eli elijah elin elise eliza
    elizabeth ella elle ellen ellie ellis elliot elliott eloise elsie emeka emilia emily emma
    emmanuel eoin erin esme esther ethan eugene euan eva evan evelyn evie ewan

    faisal farah farhan farid fatima fatma fay faye felicity felix finlay finley finn fiona
    folake frances francesca francis freddie freddy frederick freya

    gabriel gabriella gail gareth garry gary gavin gemma geoffrey george georgie gerald gerard
    gerry gillian gina glenda gordon graeme graham greg gregory gurdeep gurpreet gwen
    gwendolyn

    hamish hamza hana hannah harjit harold harper harpreet harriet harris harrison harry harvey
    hassan hayden hayley heidi helen helena henry hina hugh hugo humza hussain

    iain ian ibrahim idris ieuan imogen imran ines ioana ion irene isaac isabel isabella isabelle
    isla ismail isobel ivan

    jac jackie jacob jacqueline jagdeep jake jakub jamal james jamie jane
    janet janice jasmin jason jaspreet jaswinder javed jayden jayne jeanette jemma jen jenna
    jennifer jenny jeremy jerome jess jesse jessica jill jim jimmy jo joan joanna joanne jodie
    joe joel joey john johnny jon jonathan jonny joseph josephine josh joshua josie
    judith julia julian julie justin

    kacper kai kamal kamran karen karim karl karolina kasia kate katarzyna katherine kathleen
    kathryn katie katy kayla kayleigh keira keith kelly kelsey kemal ken kenneth kenny kerry
    kevin khadija khalid kieran kim kimberley kirsten kirsty kofi krzysztof kuldeep kwame kyle

    lacey lachlan lana laura lauren layla leah leanne lee leigh leila lena lennon leo leon
    leonard lesley leslie lewis lexi liam linda lindsay lindsey lisa liz lizzie logan
    lola lorna lorraine louie louis louisa louise luca lucas lucy luke lydia lyndsey lynn lynne

    madison magdalena maisie malcolm mandeep mandy manpreet marc marcus marek margaret maria
    mariam marie marion marjorie marta martha martin martyn mary maryam mateusz matilda matt
    matthew maureen megan mehmet melanie melissa mia michael michaela michal michelle mick
    mihai mikey milena millie mohamed mohammad mohammed molly morag morgan muhammad mustafa

    nadia nadine naomi naseem natalia natalie natasha nathan nathaniel neil ngozi nia niall
    nicholas nichola nicky nicola nicole nigel niamh nikita nikki noah noel noor nora norman

    oksana olena oliver olivia oluwaseun omar orla oscar owen

    padraig paige pamela patricia patrick paul paula pauline pawel peter petra phil philip
    phillip phoebe piotr priya priyanka

    rachael rachel rafael rahul raj rajesh rakesh ravi rebecca rebekah reece rees reggie rhian
    rhiannon rhys ricky riley rita robbie robert roberta rohan roisin ronald ronan ronnie
    rory rosa rosalind rosie ross rowan roxanne ruairi rupert ruth ryan

    sabrina sadia saima sally sam samantha samir samira samuel sana sandra sanjay sara sarah
    saskia scarlett scott sean sebastian shabana shahid shane shanice shannon shaun shauna shazia
    sheila shelby shelley sharon shirley shona sian simon simone simran siobhan sonia sophia
    sophie stacey stacy stefan steph stephanie stephen steve steven stevie stewart
    stuart sukhdeep sunita susan suzanne sylvia szymon

    tamara tamsin tanya tara tariq tasha tatiana teresa terence terri terry tess tessa theo
    theodore theresa thomas tia tiffany tim timothy tina toby todd tom tomasz tommy toni tony
    tracey tracy trevor tunde tyler tyrone

    usman

    valerie vanessa vasile vicky victoria vikki vikram vince vincent vinny

    wayne wendy wesley william winston

    yasmin yasmine yusuf yvonne

    zac zach zachary zahra zainab zain zak zara zoe zoey zofia
"""

# Given names that are also everyday words, months, places or police shorthand.
_WORD_LIKE = """
    al amber angel april art ash ashton aston august autumn bailey bill blaze bob brook brooke carol chase
    chelsea cherry christian clay cliff crystal dale dawn devon di dolly don dot drew earl eden ed eve faith
    florence frank gene georgia gill glen grace guy harmony hazel heath heather holly honey hope
    hunter india iris ivy jack jade jasmine jay jean jordan joy june juliet kit lance lily
    mark mason max may mercedes mike miles mo nick olive paris pat pearl penny poppy precious
    ray reed river rob robin roger rose rosemary ruby rusty sandy sky skye stanley star storm sue summer
    sunny sydney victor violet will willow
"""

# Surnames common in the UK that are not also everyday words ("Brown", "King", "Hill" and
# "Foster" are left out: they turn up capitalised in ordinary notes).
_SURNAMES = """
    abbott adams adeyemi ahmed akhtar ali allen anderson armstrong atkinson baker barker
    barnes begum bennett bradley byrne campbell carter chapman chen chowdhury clark clarke
    collins connolly cooper cox davidson davies davis dixon donnelly doyle edwards ellis evans
    ferguson fitzgerald fletcher fraser gibson graham griffiths gupta hamilton harris harrison
    henderson holmes howard hudson hughes hussain iqbal jackson jenkins johnson johnston jones
    kaur kelly kennedy khan kowalski kumar lawrence lewis lloyd macdonald mahmood marshall
    martin matthews mcdonald mckenzie mclean mensah miah mitchell moore morgan morris morrison
    murphy murray nguyen nowak o'brien o'connor o'neill okafor okoro owen owusu palmer parker
    patel pearson phillips powell rahman reid reynolds richards richardson roberts robertson
    robinson rogers russell saunders scott shah sharma simpson singh smith stevens stewart
    taylor thompson thomson turner uddin walker walsh wang watkins watson webb williams wilson
    wisniewski wright zhang
"""

GIVEN_NAMES: frozenset[str] = frozenset(_GIVEN.split())
WORD_LIKE_NAMES: frozenset[str] = frozenset(_WORD_LIKE.split())
SURNAMES: frozenset[str] = frozenset(_SURNAMES.split())

#!/usr/bin/env python3
"""Build the codename word lists tropa/intake/wordlists/{ru,en}.txt.

Build-only: the packages below are NOT dependencies of Tropa. Install them
into a throwaway virtualenv with these exact versions, then run this script
from the repository root (see tropa/intake/wordlists/README.md):

    python3 -m venv /tmp/wl
    /tmp/wl/bin/pip install wordfreq==3.1.1 pymorphy3==2.0.6 \\
        pymorphy3-dicts-ru==2.4.417150.4580142 diceware==1.0.1 lemminflect==0.2.3
    /tmp/wl/bin/python scripts/make_wordlists.py

Each list gets exactly 4096 words (12 bits), the most frequent ones (by
wordfreq) that survive every filter below, written in alphabetical order.

Russian: pymorphy3 must know the word and read it, first of all, as a noun in
the nominative singular that is its own dictionary form, inanimate (plus a
short allow-list of animals), with no tag for names, places, organisations,
abbreviations, slang, archaic or misspelt words; no letter ё (or ъ) anywhere.

English: lemminflect must read the word as a singular noun (its own noun
lemma) and it must appear in the EFF large word list or the
NaturalLanguagePasswords noun list (both shipped by the ``diceware`` package),
which keeps names, brands and function words out.

Both: 3 to 8 letters; no word in the deny-lists (by prefix or exact word);
no two words of 4 letters or fewer one edit apart (the rarer one goes).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

SIZE = 4096
MIN_LEN, MAX_LEN = 3, 8
EN_MIN_ZIPF = 3.0  # for English nouns outside the EFF and noun lists
SHORT = 4  # words this long or shorter must be 2+ edits from each other
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tropa" / "intake" / "wordlists"
BUILD_PACKAGES = ("wordfreq", "pymorphy3", "pymorphy3-dicts-ru", "diceware", "lemminflect")


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words, ``#`` comment lines left out."""
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return tuple(" ".join(lines).split())


# A codename may be seen on a phone at a checkpoint. Nothing in it may hint at
# the military, war, weapons, violence, death, escape, borders, police,
# prisons, courts, politics, religion, drugs, sex, body fluids, insults,
# nationalities, places, illness, secrecy, identity documents or help-seeking.
# Stems match as prefixes; the *_WORDS sets match whole words only.

RU_DENY_STEMS = _words(
    """
    # military, mobilisation, war
    войн воен войск воин воев арми армей солдат офицер генерал полков майор капитан
    лейтенант сержант ефрейтор прапорщ рядов призыв мобилиз повестк комиссар срочн
    контракт дезерт уклон отсроч присяг казарм батальон взвод дивизи бригад штаб
    фронт окоп танк пушк пулем пуля пули патрон снаряд ракет бомб минн гранат
    автомат ружь ружье винтов пистол револьв оруж штык нож кинжал шпаг сабл стрел
    выстрел стрельб обстрел залп взрыв атак наступ оборон оккуп захват плен трофе
    побед пораж враг противн диверс шпион развед десант флот авиа истребит бомбард
    дрон беспилот камуфл погон бронежил брон каск шлем медал орден парад марш мундир
    гимнаст блиндаж бункер ядерн снайпер засад зачистк отстрел конфликт тыл эскадр
    гарнизон полигон маневр манёвр торпед артилл мортир калибр прицел курок кобур
    осад штурм рейд бойц боев бое вагнер чвк конвой караул часов дозор патрул трибун
    герой геро ветеран подвиг военкомат медкомисс годност категори резерв запас сбор
    учет учёт
    # police, prison, courts, documents
    полиц милиц мент росгвард омон фсб кгб спецслуж спецназ охран тюрьм тюрем колони
    сизо заключ арест задерж обыск допрос следств следоват прокур суд приговор штраф
    наказ закон право правонар кодекс паспорт виза визов документ справк розыск
    ордер наручн решетк решётк камер преступ криминал уголов статья донос протокол
    адвокат юрист юстиц свидетел улик пристав надзор конфиск депорт высылк ссылк
    экстрад амнист помилов залог взятк коррупц досмотр проверк контрол слежк прослуш
    донесен анкет прописк регистрац удостовер пропуск печать
    # escape, borders, travel out
    побег бегл бегств беженц беж эмигр иммигр мигра релок границ погранич кордон
    таможн контрабанд переход выезд въезд отъезд укрыт убежищ нелегал подпол
    партизан эвакуац спасен спасат помощ аэропорт чемодан билет тайник тайн секрет
    шифр пароль конспир маскир заговор явк связн агент иноагент дорожк
    # politics, state, protest, nations and places
    полит власт президент правит министр депутат дум парламент выбор голос парти
    режим диктат кремл путин навальн украин росси русск русь совет союз ссср коммун
    социал либерал демократ фашис нацис нацио патриот родин отечеств государ стран
    держав импери корол князь княж санкц экстрем террор пропаганд цензур указ
    референд пакт договор флаг герб гимн лозунг знам майдан бандер хохол хохл укроп
    ватн колорад протест митинг оппозиц революц бунт мятеж восстан переворот
    забастов пикет свобод независ демонстрац европ америк азиат кавказ сибир запад
    восток чечен чечн крым донбасс белорус москв питер киев грузи казах армян армени
    турц израил китай евре жид немец немц поляк татар башкир якут цыган славян
    москал кацап чурк хач негр эстон латыш литов финн мордов калмык бурят дагест
    ингуш осетин аварец узбек таджик киргиз туркмен азербай абхаз гражданств
    гражданин житель население нация народ этнос племя губерн област район краев
    столиц мэр губернатор чиновник бюрократ ведомств комитет комисси рада сенат
    конгресс саммит посол консул дипломат оон нато альянс
    # religion
    церк храм бог божеств религ ислам мусульм христ правосл католи иуд мечет синагог
    монастыр монах монаш свящ батюшк икон крест молитв молебен грех греш ангел демон
    дьявол сатан черт чёрт библи коран талмуд пасх рождеств аллах будд мантр идол
    культ сект ритуал жертв пророк апостол святы святой святын святост мощи литург
    месса проповед епарх епископ митропол патриарх приход паломн шаман колдов ведьм
    магия чудотвор мессия спаситель ересь ерет веров атеис раскол
    # death, violence, danger, fear
    смерт умер мертв мёртв труп гроб могил кладбищ похорон погост поминк убий убит
    убиен казн расстрел пытк насил избие драк бой бойн битв сражен кров ранен увечь
    травм шрам синяк удар топор петл висел отрав самоуб суицид теракт заложн похищ
    угроз страх ужас паник тревог опасн беда бедств горе катастроф авари гибел погиб
    резн расправ месть ненавист злоб агресс жесток разбой грабе граби кража мафи
    банд рэкет дубин плет кнут цеп выстр боевик налет налёт погром разгром разруш
    руин пожар поджог пепел пепелищ траур скорб вдов сирот плач слез слёз крик вопль
    стон страдан голод нищет потер утрат исчезн пропаж пропав похорон упокой призрак
    привиден скелет череп кошмар жуть мрак тьма конец финал капкан ловушк западн
    клетк ошейник плетк крюк цепь наказан порк розг
    # drugs, alcohol, tobacco
    нарко гашиш героин кокаин марихуан конопл травк доз шприц таблет опиум опий
    спирт водк самогон алког пьян запой похмел табак сигар кальян курев папирос
    косяк амфет экстази зелье самокрут притон дурман брага бутыл коньяк виски ликер
    ликёр портвейн перегар
    # sex, body, body fluids
    секс эрот порн интим прост бордел любовн член пенис влагал груд жоп сосок оргаз
    орги презерв гей лесби гомо трансг девств изнас похот страст разврат блуд шлюх
    сперм менстр понос рвот слюн сопл гной блев дерьм говн срач сран какашк задниц
    ягодиц бедр лоно яичк мошонк половой полов интимн поцелу ласк обнаж голый нагот
    беремен аборт роды выкидыш бюст лифчик кишк кишеч желуд печен почк геморр прямая
    анус анал газы пищевод мокрот сопл пупок сиськ титьк
    # insults, obscenity
    дурак дура идиот дебил урод сволоч тварь мраз козел козёл бляд блят хуй хуе хер
    пизд еба ёба ебл мудак мудил чмо лох быдл падл ублюд кретин тупиц придур подонок
    подлец негодя мерзав скотин скот свинь сучк стерв засранец пидор педик педер
    гнид вош вша клоп таракан крыс глист червь паразит бомж нищ холоп рабств позор
    стыд срам мерз гнил вонь вонюч дрянь мусор отброс помойк свалк шваль сброд
    # illness, medicine, mental health
    болезн болен больн опухол вирус ковид корон чума холер тиф грипп диабет инфекц
    эпидем пандем инсульт инфаркт бронхит маляри туберкул спид вич гепатит сифилис
    триппер аллерг астм кашл кашел сыпь недуг язв псих шизо депресс диагноз лихорад
    ангин ожог перелом контуз инвалид госпитал морг прыщ гангрен зараз заболев
    лекарств лечен врач медик медиц хирург операци наркоз укол вакцин прививк
    карантин изолятор палат реанимац скорая санитар аптек клиник диспансер эпилеп
    невроз истер безум сумасш маньяк деменц аутиз слепот глухот немот паралич
    обморок судорог рвота гемато грыж нарыв фурункул чесот лишай парш проказ оспа
    корь свинк краснух дифтер столбняк бешенств цирроз инсулин анемия тромб отек
    отёк воспален рецепт лечебн хворь немощ старост мозол бородавк гипс бинт носилк
    костыл протез стресс травм дистроф ожирен
    # identity, money trouble, surveillance
    фамили отчеств адрес имя биограф личност долг кредит заём займ ипотек банкрот
    налог ограблен камера видеонаб
    # help-seeking words a requester would not want seen together
    юридич консульт правозащ правоза опека опекун приют ночлег беглец бродяг скитан
    изгна изгнан ссыльн
    """
)

RU_DENY_WORDS = _words(
    """
    мина мир рота тир меч лук лев тень рана бег бой бег зона лагерь форма срок дело
    голова душа сила мощь мощи враг удар гром кулак крах крах крыса ложь дуло курок
    ствол мушка прицел жало клык коготь когти зуб город страна край земля село
    деревня столица остров регион округ план цель задача миссия приказ команда отряд
    группа звено штаб пост код ключ знак шифр метка сигнал связь рация радио ракета
    правда ложь истина слава честь долг клятва присяга подвиг враньё вранье обман
    измена предатель свет тьма ночь луна газ огонь пламя дым угли уголь пепел поезд
    вокзал трасса шоссе перрон граница будущее прошлое конец финал смысл жизнь
    гибель девка баба тетка зэк урка зек фура фургон кара раб рабыня рабство пот зад
    мак кость кости скелет царь царица царство царский бес бесы рай ад яд ядовитый
    вор воровство воровка сука гад гадина пах месть полк душа учения боль рак кома
    киста пост вера трус трусы трусость попа моча пук кака зло злодей мука мучение
    # read by eye in the built list: religion, the state, force, crime, illness
    отставка афро откуп дезертир увольнение запас резерв сборы повестка
    агония анафема акафист алтарь апология бдение венчание вертеп вечеря исповедь
    крещение ковчег купель ладан миро мирра нимб намаз конклав покаяние постриг
    псалом псалтирь псалтырь пустынь распятие реквием реликвия риза синод сретение
    таинство троица царствие хула суеверие писание паства пантеон содом эдем элизиум
    нечисть порча заклятие чакра автозак арбалет арсенал блицкриг блокада блокпост
    браунинг вермахт вербовка гарпун гвардия генштаб гестапо гильза дробовик дуэль
    застава затвор карабин кольчуга конница кортик корвет крейсер линкор маузер
    наган обойма облава пехота плацдарм подлодка порох приклад редут рать тесак
    томагавк тральщик фрегат форпост шеврон шинель штандарт эсминец эшелон эфес
    булава палица канонада набег наезд натиск вылазка высадка выпад стычка схватка
    побоище поединок мишень заряд бросок забрало доспех униформа фуражка клинок
    лезвие бритва бич хлыст кувалда землянка перекоп перехват поимка взлом вскрытие
    взятие подкоп подкуп подлог подделка подстава растрата хищение шантаж саботаж
    самосуд умысел сокрытие утечка травля расплата карцер каторга кабала иго ярмо
    параша промзона шпана шайка братва сходка свора отребье отродье лубянка лэнгли
    рейхстаг кремль избирком исполком горком горсовет обком райком ревком оргбюро
    кабмин меджлис курултай вече земство волость профсоюз комсомол первомай триколор
    стяг хунта халифат шариат хиджаб ленинизм марксизм нацизм сионизм фашизм
    шовинизм анархизм анархия монархия нигилизм феминизм атеизм фанатизм расизм раса
    каста гендер аннексия агитация коалиция мандат манифест династия доминион
    диаспора отчизна смута стачка самиздат рубикон фракция шляхта сословие тирания
    плутоний радиация эпицентр гастрит герпес глаукома изжога кариес насморк диарея
    артрит аритмия гипоксия атрофия амнезия абсцесс денге желтуха мания маразм икота
    озноб одышка онемение лейкоз менингит мигрень некроз сепсис синдром симптом
    склероз тремор спазм подагра паранойя тошнота удушение удушье припадок катетер
    клизма биопсия лазарет морфин допинг препарат токсин фобия рецидив вывих фингал
    рубец порез укус сгусток катафалк кончина панихида саркофаг склеп эпитафия тлен
    падаль сожжение отчаяние унижение участь ярость трагедия рознь вражда инцест
    клитор вибратор виагра либидо засос эрекция сношение стриптиз стрип вирт отсос
    фетиш флирт эскорт экстаз матка послед вымя тампон крэк бабло бухло жратва
    брехня башка морда пузо попка пойло пивко пивная выпивка абсент бренди текила
    сакэ кабак никотин курение отрыжка плевок пинок сортир хрен чернуха айфон ауди
    бентли боинг кадиллак мерседес мицубиси ниссан тойота хонда шевроле шкода фиат
    филипс пепси кодак лего аэрофлот сбербанк госбанк нацбанк евролига кинотавр
    рамблер рунет таймс титаник уимблдон вайоминг макао альбион байконур оболонь
    пальмира скопье эрмитаж амелия адонис морин ламберт кларенс митчелла линди
    белоус лапина геллер бальбоа марго перри харт уорд хван шандор честер фукс ферми
    фигаро ришелье саган ромэн стоун хоган тэмми юлиус персея зиг зет зулу мордва
    испанка полька финка скиф иврит идиш фарси хинди суахили суоми френч рамадан
    сутра ана аск арго баш бейт бодо буна вади гиль дежа диас дых иже инион кипу
    кива карра нака наход неф кун маз милль меццо колет копал лье гуд бри бэнд брэнд
    микст мобайл коммент линк логин мейл мем бэр гбайт кбит икт гросс гран кали
    альба рами рил роуд ридер пойнт поул реал сапр тэк твэл ферт хабар хедж эйч ять
    текс рапид тизер джет дайка тартар ракель сельцо селище людская нажитое наружное
    холодное прайд черняк абвер амуниция гаубица голгофа гонение дротик заклание
    заточка зверство кастет колчан кремация кибуц курия минарет митра моление
    папство пальба партбюро петарда пугач рогатка сглаз сыск темница тропарь фугас
    шрапнель хадж пурим дхарма общак каюк кукиш лобок фаллос сфинктер климакс
    ширинка плацента саркома асфиксия ветрянка волчанка дерматит колит отит псориаз
    сколиоз стеноз цистит экзема артроз ремиссия гниение зловоние смрад цианид
    урология неявка шухер бельмо заикание совмин профком рабфак ректорат уния хала
    кечуа пушту санскрит борат гильберт калин листер райна чешир уаз виллис тетрис
    биг ака идо кава ува силь риал хенд скип нейл нойз гайда гарт кампо кунг лагер
    морф галифе нашивка понтон скальп бездарь лживость картечь мушкет секира ранка
    токсикоз скит лампада мбайт ясак ранд чарт капище мундштук патель листовка
    прокламация
    """
)

RU_ANIMALS = _words(
    """
    # animate nouns allowed despite the inanimate rule (animals, birds, fish)
    кот кошка собака лиса волк медведь заяц белка ежик лошадь конь корова коза овца
    утка гусь курица петух птица сова ворона воробей голубь лебедь аист журавль орел
    сокол ласточка синица дятел попугай рыба щука окунь карп сом дельфин кит тюлень
    пингвин черепаха лягушка жаба улитка бабочка пчела муравей жук стрекоза кузнечик
    паук олень лось кабан барсук енот бобр хомяк кролик мышь слон жираф зебра
    верблюд тигр кенгуру панда коала обезьяна крокодил ящерица осьминог краб
    креветка медуза фламинго павлин страус чайка цапля филин снегирь скворец соловей
    щенок котенок лисица бегемот носорог барсук ондатра куница соболь выдра рысь
    ослик пони индюк фазан карась лещ форель лосось треска
    """
)

EN_DENY_STEMS = _words(
    """
    # military, war, weapons
    warfare warrior warhead warlord warship army armed armor armour armory armies
    soldier troop militar militia navy naval marine sergeant captain colonel
    lieutenan corporal admiral officer draft conscri desert recruit enlist barrack
    battalion regiment brigade platoon squad infantry cavalry artiller tank gun
    rifle pistol revolver bullet ammo bomb missile rocket grenade sword dagger knife
    blade spear arrow weapon arsenal cannon musket trigger holster sniper ambush
    assault attack raid invad invasion occup siege battle combat fight conflict
    enemy spy agent convoy drone helmet uniform medal parade veteran victor defeat
    surrender captive hostage prisoner shrapnel ballist bayonet trench bunker
    nuclear nuke artill mortar torpedo sabre saber lance cutlass machete crossbow
    catapult explos dynamite detonat fuse blast shoot shot gunner marksman cadet
    trooper commando mercen legion garrison fortress sentry sentinel patrol guard
    watchman scout recon intel espionage sabot salute rank badge insignia barracks
    drill maneuver manoeuv strike target crosshair camo camoufl combat militant
    rebel insurg guerrill partisan warden wartime cossack knight samurai viking
    gladiat crusade conquer
    # police, prison, courts, documents
    prison jail handcuff arrest police sheriff detectiv warrant court judge trial
    verdict lawyer attorney prosecut sentenc convict felon crime criminal inmate
    custody detain deten interrog suspect witness evidence passport visa license
    licence permit document certific registr fingerpr census bail parole probation
    penalty punish ticket fugitiv outlaw bandit thief theft robber burglar mugger
    smuggl bribe corrupt mafia gang mobster cartel heist loot ransom extort fraud
    forger snitch informer inspect surveil wiretap search seizure confisc deport
    extradit exile banish cage shackle chain lockup dungeon gallows noose execut
    lynch
    # escape, borders
    border frontier customs refugee asylum escape flee flight runaway getaway
    checkpo migra emigr immigr evacu exodus shelter hideout hiding refuge haven
    sanctuar tunnel airport luggage baggage suitcase departur exit secret cipher
    password codename code disguise conspir plot covert undercov stealth decoy alias
    fake smuggle
    # politics, state, nations, places
    politic president minister senat govern parliam congress election vote voting
    ballot party regime dictat tyrant democra liberal commun socialis fascis nazi
    patriot nation flag anthem emperor empire kremlin soviet russia ukrain china
    turkey german french polish swede czech turk greek scot brit irish welsh dutch
    yankee gypsy eskimo arab persian indian african american asian europe latin
    mexic jersey jordan chile georgia israel japan india france moscow london paris
    berlin kiev kyiv crimea chechn siberia cuba iran iraq syria korea congo sudan
    yemen libya peru texas canada panama sahara hamburg bologna cologne bourbon
    madeira cheddar brussels hollywood mecca oxford cambridge denver boston citizen
    native tribe ethnic race racis colony coloni state country capital mayor
    governor senator diplomat embassy consul ambassad treaty sanction protest riot
    revolt revolut uprising rally strike boycott propagand censor terror extrem
    radical anarch union comrade tsar czar king queen prince duke royal throne crown
    reign monarch lord serf slave bondage liberty freedom independ homeland republic
    federal kingdom treason traitor spies lobby campaign referend protester activist
    dissent opposit
    # religion, occult
    god church priest pastor bishop pope nun saint bible koran mosque temple prayer
    pray heaven hell devil satan demon angel holy sacred jesus christ islam muslim
    hindu buddh atheis idol chapel cathedr abbey convent clergy cleric deacon vicar
    rabbi imam mullah psalm hymn gospel sermon baptis crucif relig divin deity
    messiah prophet apostle disciple pilgrim easter christm sabbath ritual sacrif
    witch wizard sorcer occult voodoo pagan heret heathen shaman spirit soul ghost
    zombie vampire curse halo karma mantra yoga guru faith creed pulpit altar crypt
    relic shrine rosary monaster nirvana
    # death, violence, danger, fear
    kill murder death dead dying corpse grave coffin funeral tomb cemeter burial
    bury hanging poison blood bleed wound injur bruise tortur violen abuse rape
    massacr slaughter genocid terror hijack kidnap threat danger panic fear crisis
    hurt agony suffer victim casualt fatal lethal deadly doom disaster catastr
    tragedy horror terrif scary fright dread nightm skull skeleton mourn grief widow
    orphan suicid strangl slash punch beat kick slap smack whip lash brawl fist thug
    bully hate hatred rage revenge vengean venom toxin toxic arson fire burn ash
    ruin wreck crash collaps explod chaos havoc carnage mayhem bloodsh butcher
    assassin hitman predator prey trap snare claw fang gore guillot electroc drown
    cremat embalm morgue mortuar autopsy obituar epitaph hearse reaper scream weep
    alarm siren emergen rescue help sos mayday survival surviv
    # drugs, alcohol, tobacco
    drug heroin cocaine crack weed meth opium cannab marijuan joint dope needle
    syringe dose overdos stoned booze vodka whisk liquor drunk hangover narcot
    addict junkie dealer stash tobacco cigar smok nicotin hash acid ecstasy lsd
    speed opioid morphin codeine poppy bong spliff reefer sniff snort inhal brandy
    tequila cognac bourbon moonsh alcohol tipsy binge
    # sex, body, body fluids
    sex porn nude naked erotic orgasm penis vagina breast nipple boob condom lust
    kink fetish whore slut pimp brothel horny gay lesbian virgin genital gonad
    testic sperm semen pubic crotch groin bottom booty rump buttock thong panties
    lingerie bikini kiss cuddle flirt seduc affair lover mistress harlot escort
    hooker bosom cleavage thigh loin womb uterus ovary prostat anus rectum colon
    bowel intestin bladder pregnan abortion fertil puberty menstru period tampon
    diaper urine urinal poop feces faeces vomit spit snot mucus saliva sweat diarrh
    puke fart turd dung manure phlegm bile excrem stool drool booger belch burp
    toilet potty lavator sewage sewer armpit navel belly flesh sexy hump spank
    bedroom
    # insults, obscenity
    idiot moron stupid dumb jerk bitch bastard fool loser freak creep pervert retard
    sucker dork nerd twit scum skank wimp wuss dick cock prick twat cunt shit crap
    damn piss fuck bugger douche arse hick redneck trash garbage rubbish slob swine
    louse lice leech vermin maggot worm slug cockroach roach clown goon brat punk
    hooligan lout oaf dunce nitwit dimwit halfwit imbecil cretin lunatic maniac
    madman nutcase weirdo psycho sicko coward traitor snob bigot witch crone tramp
    beggar vagrant hobo slave servant peasant savage barbar bimbo floozy sleaze
    scoundr villain rascal rogue crook liar cheat swindl quack scam hoax gross filth
    dirt slime stench stink smell odor reek
    # illness, medicine, mental health
    disease cancer tumor tumour virus covid corona plague cholera typhus fever
    infect epidem pandem stroke diabet asthma malaria hepatit aids hiv syphil herpes
    leprosy lupus palsy measles mumps rabies polio ulcer rash cough sick illness
    coma seizure insane mental autis dementia anemia allerg germ fungus bronch
    hospital clinic patient surgeon surgery nurse doctor medic pharma therap psychia
    asylum ambulan stretcher crutch wheelch bandage splint vaccin inject virus
    quaranti isolat disorder syndrom symptom diagnos remedy tablet capsule insulin
    chemo radiat biopsy scan x-ray cyst wart pimple acne blister abscess gangren
    fracture sprain migraine headache nausea dizzy faint cramp spasm tremor paralys
    blind deaf mute cripple handicap disabl invalid obese anorex bulim depress
    anxiety neuros psychos schizo bipolar trauma stress addict rehab detox relapse
    wheeze sneeze scab lesion tumor gout hernia colic croup scurvy rickets smallpox
    anthrax ebola sars plague parasite flea lice bacteri microbe pathogen outbreak
    contag autopsy
    # identity, money trouble, surveillance
    name surname address identit birth debt loan mortgage bankrupt camera webcam
    tracker monitor
    """
)

EN_DENY_WORDS = _words(
    """
    war mine bow axe die fly run hit tap sin dye bat club pike mace lance shell
    cannon arms fire gas gun ray pit hole cave ditch grave sack bag tie rope cord
    wire chain hook lock key safe vault box pen cell ward bar bars cage power force
    rule law order command control duty service mission task enemy foe rival threat
    target aim goal end final last ending man woman boy girl child kid baby mother
    father son daughter wife husband mom dad mum papa brother sister uncle aunt
    cousin niece nephew grandma grandpa family people person human guy lady
    gentleman folk adult teen youth elder senior junior mister madam sir boss master
    chief leader head driver pilot sailor captain crew staff worker labor labour job
    work career employer employee intern trainee student pupil teacher tutor
    professor judge jury lawyer clerk mayor sheriff deputy official bureau office
    agency border line edge limit boundary bleach chlorine lye arsenic cyanide
    bullet shell pellet shot round leak drip spill stain smear blot cast ward fine
    flu pill pills pot gin rum strip stripper bra butt anal pee pus ass hog pig rat
    tart bum hag sin sinner mass lent hex zen cult cultist cross sect monk die hang
    hangman harm pain scar scare bone bones cry sob stab fort hero cell cop cops
    coup roman pole finn dane jew jewish tax taxes taxation urn tear ill cold chill
    pest tick mite sore lame cure boil scam hoax
    # read by eye in the built list: religion, force, crime, the state, names
    abbot basilica cantor chaplain chalice covenant coven diocese exorcism exorcist
    friar heresy infidel liturgy martyr nativity papacy penance pew piety preacher
    priory puritan rector redeemer requiem reverend sanctity sanctum savior saviour
    seminary synod trinity devotee devotion parable prophecy pantheon pharaoh rite
    incense miracle mercy yogi zodiac oracle warlock wraith ghoul banshee fiend
    werewolf grail psychic hypnosis spook chastity celibacy dogma doctrine aries
    adjutant armada armament avenger handgun hatchet tomahawk napalm ordnance
    frigate ensign airfield airspace dugout outpost trident gauntlet henchman
    skirmish showdown rampage outburst outrage plunder vendetta vandal mutiny truce
    brute menace malice cruelty ferocity wrath peril hazard nemesis slayer stalker
    intruder ripper cannibal enforcer tribunal curfew embargo sedition dossier
    perjury culprit accident atrocity homicide capture chase evasion duress coercion
    impunity arrears alimony eviction lawsuit claimant creditor notary coroner juror
    justice pardon amnesty decree edict statute precinct trespass frisk snoop
    outcast pauper vagabond dirk razor scalpel cleaver turret shield sling muzzle
    bastion heroics heroism valor conquest defender defense defence opponent
    renegade fallout uranium backlash backfire damage absentee overseer watchdog
    watcher lookout spotter whistler imposter informant shackles alderman capitol
    caucus cadre cabal junta hegemony tyranny mandate ministry minority majority
    lawmaker taxpayer tariff treasury tory suffrage petition populace empress emir
    sultan sheik sheikh raja viceroy majesty monsieur esquire earl baron nobility
    nobleman gentry prefect provost regency envoy delegate faction unrest upheaval
    turmoil feminism feminist humanist ideology pacifist dynasty trump khan afro
    calif creole guinea java manila midwest surrey hackney louvre tesla newton billy
    bobby dalton dexter jimmy mickey morgan miller sawyer terry theodore thatcher
    tom wright chandler twain rex rhea pullman scrooge superman yahoo yuan peso
    franc adultery arousal caress erection foreplay fanny incest libido nudist
    nudity orgy panty smut swinger vibrator harem knickers garter girdle intimacy
    boner cervix placenta fetus pelvis estrogen jugular stoner opiate sedative
    sedation steroid dosage liqueur abrasion aneurysm amnesia atrophy cataract
    catheter dialysis delirium dyslexia eczema embolism epilepsy glaucoma hysteria
    insomnia leukemia lymphoma melanoma sepsis paranoia phobia mania lunacy insanity
    vertigo obesity oncology urology hospice triage incision lymph famine casket
    shroud eulogy demise oblivion despair misery woe anguish remorse distress ordeal
    calamity hardship plight idiocy jackass midget buffoon deviant goof dummy
    upstart pusher vixen nymph lefty hippie misogyny rabble amputee apostate bazooka
    buckshot scimitar silencer cesarean gremlin jaundice laxative latrine mammary
    ovum paramour grope ogle prowler poacher squatter stowaway escapist deceiver
    pyre retrial tort jurist demotion oligarch pacifism celibate theism monogamy
    prude spinster stooge snafu heckler glutton mongrel cesspool irritant sandbag
    armband placard steeple absinthe ruble cranium adherent bola stupor teargas
    violator vagrancy bonehead powwow commode schnapps security safety pillbox
    ramrod
    """
)

# Not nouns in everyday use, though a dictionary also lists them as nouns.
EN_NOT_NOUNS = _words(
    """
    that this these those other another such both each either neither none all any
    some many much more most less least few several own same whole half what which
    who whom whose why how when where while whilst whether unless you your yours
    yourself myself himself herself itself ourself themself his her hers him she
    they them their theirs its our ours one ones two three four five six seven eight
    nine ten hundred thousand million billion first second third fourth fifth last
    next former latter good bad old new young little big small great high low long
    short left right think say take make want need give keep find try seem become
    mean know tell doing going coming taking making saying being having getting
    living giving given known taken made said done gone seen shown thought anything
    everything nothing something anyone everyone someone nobody anybody everybody
    somebody whatever whoever whichever possible common private public national
    simple single average daily clear general federal local social real full free
    sure best better worse worst down upon over under above below about around along
    across within without yes yeah okay hello hey wow ouch oops hmm uh um self mine
    yours ours theirs
    """
)


def build_russian(freq_words: Iterable[str]) -> list[str]:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    bad_tags = {
        "Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Erro", "Slng", "Infr",
        "Dist", "Arch", "Litr", "Init", "Poss",
    }  # fmt: skip
    animals = {w.replace("ё", "е") for w in RU_ANIMALS}
    word_re = re.compile(rf"[а-я]{{{MIN_LEN},{MAX_LEN}}}")

    def accept(word: str) -> bool:
        if not word_re.fullmatch(word) or "ъ" in word:
            return False
        if not morph.word_is_known(word):
            return False
        parses = morph.parse(word)
        first = parses[0]
        tag = first.tag
        if "ё" in first.word or "ё" in first.normal_form:
            return False
        if tag.POS != "NOUN" or tag.case != "nomn" or tag.number != "sing":
            return False
        if first.normal_form != word or tag.grammemes & bad_tags:
            return False
        # Another parse as a name or place (e.g. a surname) is a risk too.
        if any(p.tag.grammemes & {"Name", "Surn", "Patr", "Geox", "Orgn"} for p in parses):
            return False
        if tag.animacy != "inan" and word not in animals:
            return False
        return not denied(word, RU_DENY_STEMS, RU_DENY_WORDS)

    return select((w for w in freq_words if accept(w)), "ru")


def build_english(freq_words: Iterable[str]) -> list[str]:
    import diceware
    from lemminflect import getAllLemmas
    from wordfreq import zipf_frequency

    lists = Path(diceware.__file__).parent / "wordlists"
    eff = {line.split()[1] for line in (lists / "wordlist_en_eff.txt").read_text().splitlines()}
    nouns = set((lists / "wordlist_en_nouns.txt").read_text().split())
    word_re = re.compile(rf"[a-z]{{{MIN_LEN},{MAX_LEN}}}")

    def accept(word: str) -> bool:
        if not word_re.fullmatch(word) or word in EN_NOT_NOUNS:
            return False
        lemmas = getAllLemmas(word)
        if lemmas.get("NOUN") != (word,):
            return False
        # A word only a noun can be, and common enough, needs no word list.
        if (
            word not in eff
            and word not in nouns
            and not (lemmas.keys() == {"NOUN"} and zipf_frequency(word, "en") >= EN_MIN_ZIPF)
        ):
            return False
        # Mostly an adjective, adverb or a verb form: not a plain noun.
        if {"ADJ", "ADV"} & lemmas.keys() and word not in nouns:
            return False
        if word.endswith(("ing", "ness", "ism", "ist")) and word not in nouns:
            return False
        return not denied(word, EN_DENY_STEMS, EN_DENY_WORDS)

    return select((w for w in freq_words if accept(w)), "en")


def denied(word: str, stems: tuple[str, ...], words: tuple[str, ...]) -> bool:
    return word in words or word.startswith(stems)


def select(candidates: Iterable[str], language: str) -> list[str]:
    """The first SIZE candidates (most frequent first), skipping near-twin short words."""
    chosen: list[str] = []
    seen: set[str] = set()
    short: list[str] = []
    for word in candidates:
        key = word.casefold()
        if key in seen:
            continue
        if len(word) <= SHORT and any(one_edit(word, other) for other in short):
            continue
        seen.add(key)
        chosen.append(word)
        if len(word) <= SHORT:
            short.append(word)
        if len(chosen) == SIZE:
            return sorted(chosen)
    raise SystemExit(f"{language}: only {len(chosen)} words survive the filters, need {SIZE}")


def one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are exactly one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def main() -> int:
    import wordfreq

    versions = {name: metadata.version(name) for name in BUILD_PACKAGES}
    OUT.mkdir(parents=True, exist_ok=True)
    for language, build in (("ru", build_russian), ("en", build_english)):
        words = build(wordfreq.top_n_list(language, 200_000))
        assert len(words) == len(set(words)) == SIZE
        (OUT / f"{language}.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
        print(f"{language}: {len(words)} words -> {OUT / f'{language}.txt'}")
    print("built with " + ", ".join(f"{name}=={v}" for name, v in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

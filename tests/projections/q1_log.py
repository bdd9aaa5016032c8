"""A log shaped like the 2018-19 Quarter 1 progress update, written event by event.

Recorded in the reference's reading order: the plan's structure on 1 April 2018, each
topic's updates and milestones as the quarter went on, the progress reports and the
overview after the quarter closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalogue import (
    AssetAcquired,
    Fact,
    FigureRef,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneScheduled,
    OperationalUpdateRecorded,
    Paragraph,
    Quarter,
    QuarterOverviewWritten,
    RolloutCompleted,
    TaskforceFormed,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
)
from tests.projections.builders import LogWriter, Written

Q1 = Quarter(2018, 1)


@dataclass
class Q1Log:
    """What the tests need to point at: values, milestones and updates by name."""

    writer: LogWriter
    written: dict[str, Written] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Written:
        return self.written[name]


def update(update_id: str, topic: str, unit: str, title: str, on: str, narrative: str,
           kind: str = "other", milestone: str | None = None,
           facts: tuple[Fact, ...] = ()) -> OperationalUpdateRecorded:
    return OperationalUpdateRecorded(
        update_id=update_id, topic_id=topic, unit_id=unit, title=title,
        effective_date=date.fromisoformat(on), narrative=narrative, kind=kind,
        milestone_id=milestone, facts=list(facts))


def count(name: str, value: int, unit: str | None = None) -> Fact:
    return Fact(name=name, kind="count", value=value, unit=unit)


def milestone(milestone_id: str, topic: str, owner: str, title: str) -> MilestoneScheduled:
    return MilestoneScheduled(milestone_id=milestone_id, title=title, topic_id=topic,
                              due_quarter=Q1, owner_unit=owner)


def delivered(milestone_id: str, narrative: str) -> MilestoneProgressReported:
    return MilestoneProgressReported(milestone_id=milestone_id, quarter=Q1, status="delivered",
                                     narrative=narrative, as_of=date(2018, 6, 30))


def value(indicator: str, period: str, amount: str, released: str = "2018-04-19",
          source: str = "Home Office crime statistics") -> IndicatorValueRecorded:
    return IndicatorValueRecorded(indicator_id=indicator, period=period, value=Decimal(amount),
                                  source=source, released_on=date.fromisoformat(released))


INTRODUCTION = [
    "Operational policing in London is the responsibility of the Metropolitan Police "
    "Commissioner, Cressida Dick.",
    "This update reports on our progress in implementing our Business Plan and the actions "
    "taken to bear down on crime and violence. The update is provided here as at end of "
    "June 2018.",
    "**Quarter 1 Met Business Plan milestones are in bold.** Our progress against them is "
    "in black.",
]

OVERVIEW = [
    Paragraph(text="End of year crime statistics were released in April, showing overall "
              "crime - {1}. Many groups of offences remain lower than they were in 2012.",
              figures=[FigureRef(indicator_id="tno", from_period="2016-17",
                                 to_period="2017-18", label="total notifiable offences -")]),
    Paragraph(text="We continue to be focused on violent crime. {1}. {2}. Knife crime injuries "
              "to under 25s was stabilising and recorded offences at present have increased "
              "by 3 per cent compared to + 24 per cent for the same period last year.",
              figures=[FigureRef(indicator_id="vap", from_period="2016-17",
                                 to_period="2017-18", label="Violence against the person"),
                       FigureRef(indicator_id="knife", from_period="2016-17",
                                 to_period="2017-18", label="Knife crime offences")]),
    Paragraph(text="In Quarter 1, we instigated a Violent Crime Task Force to tackle violent "
              "crime, weapon-enabled crime and serious criminality."),
]


def load_q1(writer: LogWriter) -> Q1Log:
    """Write the quarter's log; return the events the tests refer to."""
    log = Q1Log(writer)
    w = log.written
    writer.record(
        ThemeDefined(number=2, title="Tackling serious violence"),
        ThemeDefined(number=3, title="Safeguarding"),
        ThemeDefined(number=4, title="Acquisitive crime"),
        ThemeDefined(number=5, title="Achieving the best outcomes"),
        ThemeDefined(number=6, title="Developing our key capabilities"),
        when="2018-04-01T08:00",
    )
    writer.record(*[
        TopicDefined(topic_id=topic_id, theme=theme, title=title) for topic_id, theme, title in (
            ("violent-crime", 2, "Violent crime"),
            ("terrorism", 2, "Terrorism"),
            ("child-abuse", 3, "Child sexual exploitation and abuse"),
            ("sexual-offences", 3, "Serious sexual offences, stalking, harassment"),
            ("domestic-abuse", 3, "Domestic Abuse"),
            ("modern-slavery", 3, "Modern slavery"),
            ("moped-crime", 4, "Moped crime"),
            ("local-priorities", 4, "Local crime priorities"),
            ("local-policing", 5, "Local policing"),
            ("prevention", 5, "Prevention and investigation"),
            ("responding", 5, "Responding to the public"),
            ("smarter-working", 6, "Smarter working"),
            ("leadership", 6, "Leadership"),
            ("estates", 6, "Estates"),
        )
    ])
    writer.record(
        UnitRegistered(unit_id="vctf", name="Violent Crime Taskforce", kind="taskforce"),
        UnitRegistered(unit_id="south-west", name="South West BCU", kind="bcu",
                       boroughs=["Kingston", "Merton", "Richmond", "Wandsworth"]),
        UnitRegistered(unit_id="west", name="West BCU", kind="bcu",
                       boroughs=["Ealing", "Hounslow", "Hillingdon"]),
        UnitRegistered(unit_id="mopac", name="MOPAC", kind="partner"),
        UnitRegistered(unit_id="estates", name="Property Services", kind="team"),
        UnitRegistered(unit_id="metcc", name="MetCC Digital team", kind="command"),
        UnitRegistered(unit_id="frontline", name="Frontline Policing", kind="command"),
    )
    writer.record(
        IndicatorDefined(indicator_id="tno", name="Total notifiable offences",
                         measure="offences", better="lower", change_decimals=1),
        IndicatorDefined(indicator_id="vap", name="Violence against the person",
                         measure="offences", better="lower", change_decimals=2),
        IndicatorDefined(indicator_id="knife", name="Knife crime offences",
                         measure="offences", better="lower", change_decimals=1),
    )
    w["tno-2016-17"], w["tno-2017-18"], w["vap-2016-17"], w["vap-2017-18"], *_ = writer.record(
        value("tno", "2016-17", "777458"), value("tno", "2017-18", "827225"),
        value("vap", "2016-17", "237774"), value("vap", "2017-18", "250287"),
        value("knife", "2016-17", "12115"), value("knife", "2017-18", "14680"),
        when="2018-04-20T10:00",
    )
    w["strategy"] = writer.one(update(
        "serious-violence-strategy", "violent-crime", "frontline",
        "Home Office Serious Violence Strategy", "2018-04-09",
        "In April 2018, the Home Office launched its Serious Violence Strategy.",
        kind="strategy_published"), when="2018-04-21T09:00")
    w["vctf"] = writer.one(milestone("vctf", "violent-crime", "vctf",
                                     "launch of the Violent Crime Task Force (VCTF)"))
    w["vctf-formed"] = writer.one(TaskforceFormed(
        update_id="vctf-formed", topic_id="violent-crime", unit_id="vctf",
        title="Violent Crime Taskforce formed", effective_date=date(2018, 4, 3),
        narrative="Over Quarter 1 an internal recruitment phase took place to form part of the "
        "eight pro-active teams. More than 700 applications were received.",
        milestone_id="vctf", taskforce_unit="vctf", officers=150, teams=8,
        locations=["north east", "north west", "south east", "south west"],
        funding_source="Mayor of London",
        facts=[count("applications received", 700)]))
    w["girls-allowed"] = writer.one(update(
        "girls-allowed", "violent-crime", "frontline", "Girls Allowed event", "2018-06-16",
        "In June, the Met led event 'Girls Allowed' brought together over 400 people from a "
        "number of faith communities.", facts=(count("people attending", 400),)),
        when="2018-06-20T09:00")
    writer.one(update(
        "servator", "terrorism", "frontline", "Project Servator across London", "2018-04-02",
        "Project Servator has gathered more than 500 pieces of intelligence and conducted "
        "more than 550 searches."))
    writer.one(update(
        "chogm", "terrorism", "frontline", "CHOGM policed", "2018-04-20",
        "April 2018 saw over 2,000 delegates and international politicians coming to London "
        "for the Commonwealth Heads of Government Meeting (CHOGM).", kind="operation_outcome"))
    writer.one(update(
        "raptor", "terrorism", "frontline", "Exercise Raptor at Heathrow", "2018-05-15",
        "In May 2018, a major live practice exercise involved more than 1,200 people.",
        kind="exercise_held"))
    writer.one(update(
        "spot-it", "child-abuse", "frontline", "Spot It to Stop It phase three", "2018-05-01",
        "In Quarter 1 we launched Phase three of the Spot It to Stop It campaign.",
        kind="campaign_launched"))
    writer.one(update(
        "stalking-centre", "sexual-offences", "mopac", "Stalking Threat Assessment Centre",
        "2018-04-16", "We launched the Stalking Threat Assessment Centre, awarded over £4m over "
        "two years.", kind="service_launched",
        facts=(Fact(name="funding", kind="money", value="4000000"),)))
    writer.one(update(
        "bwv", "domestic-abuse", "south-west", "Body worn video in a domestic abuse case",
        "2018-06-12", "The value of Body Worn video was exemplified in June."))
    writer.one(update(
        "gateway", "modern-slavery", "frontline", "Operation at London Gateway services",
        "2018-05-22", "More than 80 vehicles were stopped and three potential victims were "
        "identified.", kind="operation_outcome"))
    writer.one(update(
        "lock-chain-cover", "moped-crime", "frontline", "Lock, chain, cover campaign",
        "2018-04-23", "We are training an additional 500 officers to use forensic tagging and "
        "PROSpike, bringing the total to just under 1,000.", kind="campaign_launched"))
    writer.one(update(
        "burglary", "local-priorities", "frontline", "Burglary in Quarter 1", "2018-06-30",
        "Burglary is a local crime priority in 21 of the London boroughs. Offences went up 8 "
        "per cent; in Havering we achieved a 30 per cent decrease.",
        kind="operation_outcome", facts=(Fact(name="burglary", kind="change", value="8"),)))
    w["south-west-live"] = writer.one(UnitWentLive(
        update_id="south-west-live", topic_id="local-policing", unit_id="south-west",
        title="South West BCU went live", effective_date=date(2018, 5, 1),
        narrative="In May, the BCU South West went live.", live_unit="south-west",
        boroughs=["Kingston", "Merton", "Richmond", "Wandsworth"]), when="2018-05-02T09:00")
    writer.one(UnitWentLive(
        update_id="west-live", topic_id="local-policing", unit_id="west",
        title="West BCU went live", effective_date=date(2018, 6, 5),
        narrative="The West BCU (Ealing, Hounslow and Hillingdon) went live in June.",
        live_unit="west", boroughs=["Ealing", "Hounslow", "Hillingdon"]),
        when="2018-06-06T09:00")
    writer.one(update(
        "cyber-tools", "prevention", "frontline", "Cyber Tools app", "2018-05-10",
        "In Quarter 1, the Met launched its first in-house mobile application named 'Cyber "
        "Tools'.", kind="service_launched"))
    w["live-chat"] = writer.one(milestone(
        "live-chat", "responding", "metcc",
        "conclude and evaluate our website Live Chat trial and report on way forward"))
    w["ivma"] = writer.one(milestone("ivma", "responding", "metcc",
                                     "IVMA roll out on ANPR vehicle is completed"))
    w["ivma-rollout"] = writer.one(RolloutCompleted(
        update_id="ivma-rollout", topic_id="responding", unit_id="metcc",
        title="IVMA rollout complete", effective_date=date(2018, 6, 20),
        narrative="The rollout of In Vehicle Mobile Application (IVMA) devices is now complete.",
        milestone_id="ivma", system="In Vehicle Mobile Application", count_installed=1200))
    writer.one(update(
        "box", "smarter-working", "frontline", "Box introduced", "2018-05-01",
        "In Quarter 1, the Smarter Working Programme introduced a digital asset management "
        "solution, Box."))
    writer.one(update(
        "new-structure", "leadership", "frontline", "New delivery structure", "2018-06-01",
        "In June 2018 we transitioned to a new delivery structure.", kind="restructure"))
    writer.one(update(
        "estates-strategy", "estates", "estates", "Investing in the retained estate",
        "2018-04-02", "With fewer Met buildings, we are investing in the retained estate."))
    w["esb"] = writer.one(milestone("esb", "estates", "estates",
                                    "Acquisition by MOPAC of ESB complete"))
    w["esb-acquired"] = writer.one(AssetAcquired(
        update_id="esb-acquired", topic_id="estates", unit_id="estates",
        title="Empress State Building acquired", effective_date=date(2018, 6, 14),
        narrative="MOPAC acquired the Empress State Building for £250 million. There are "
        "currently between 3,500-4,000 Met staff and officers at ESB.",
        milestone_id="esb", asset="Empress State Building", acquirer="mopac",
        price=Decimal("250000000"), programme="Estates Transformation",
        programme_value=Decimal("412000000")))
    w["charing-cross"] = writer.one(milestone(
        "charing-cross", "estates", "estates",
        "Charing Cross Police Station refurbishment works start"))
    w["lps"] = writer.one(milestone("lps", "estates", "estates",
                                    "Local Police Station – detailed designs start"))
    w["report-vctf"], w["report-live-chat"], *_ = writer.record(
        delivered("vctf", "At the beginning of April, with additional monies provided by the "
                  "Mayor of London, the Violent Crime Taskforce was formed. The Taskforce is "
                  "made up of 150 ring-fenced and dedicated police officers."),
        delivered("live-chat", "The Live Chat trial was successful. To date there have been "
                  "1,975 chats; 92% of users would use Live Chat again."),
        delivered("ivma", "1,200 IVMAs have been installed across our fleet."),
        delivered("esb", "MOPAC acquired the Empress State Building."),
        delivered("charing-cross", "Works are currently onsite."),
        delivered("lps", "Consultant design teams have been appointed for each of the 31 BCU "
                  "building projects."),
        when="2018-07-05T09:00",
    )
    w["overview"] = writer.one(QuarterOverviewWritten(
        quarter=Q1, introduction=INTRODUCTION, paragraphs=OVERVIEW), when="2018-07-10T09:00")
    return log

"""The proof that the data migration companies 0002 loses nothing (#19), on any data set: the demo
company in a test (tests/companies/test_migration_demo.py), the benchmark's M data set on a copy
(bin/check-directory-migration, through manage.py check_directory_migration).

`prospect_texts()` is read before the conversion runs, `verify()` after it: every prospect is still
there with its own text fields and version as they were; its name, phone and address are its company's,
character for character; a contact person is its contact's name with the prospect's e-mail and phone,
at that company (no contact person: no contact, the e-mail stays on the prospect only); the companies
are exactly the distinct (name, phone, address) and the contacts the distinct (person, e-mail, phone,
company), none without a prospect; and each record's normalised columns are companies.normalize's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from companies.models import Company, Contact
from companies.normalize import normalize_email, normalize_kana, normalize_name, normalize_phone
from prospects.models import Prospect

TEXT_FIELDS = ("name", "contact_person", "phone", "email", "address")
MAX_PROBLEMS = 50  # listed; all are counted


@dataclass
class Report:
    prospects_before: int = 0
    prospects_after: int = 0
    companies: int = 0
    contacts: int = 0
    expected_companies: int = 0
    expected_contacts: int = 0
    values_checked: int = 0
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def lines(self) -> list[str]:
        return [
            f"prospects: {self.prospects_before} before, {self.prospects_after} after",
            f"companies: {self.companies} (distinct name, phone and address: {self.expected_companies})",
            f"contacts: {self.contacts} (distinct person, e-mail, phone and company: {self.expected_contacts})",
            f"text values compared: {self.values_checked}",
            f"problems: {self.problem_count}",
            *(f"  {p}" for p in self.problems),
        ]


def prospect_texts() -> dict[int, tuple]:
    """{prospect id: (name, contact person, phone, e-mail, address, version)}, read before the conversion."""
    rows = Prospect.objects.order_by("pk").values_list("pk", *TEXT_FIELDS, "version")
    return {pk: tuple(rest) for pk, *rest in rows.iterator(chunk_size=5000)}


def verify(before: dict[int, tuple]) -> Report:
    """Every text value of `before` accounted for after the conversion (see the module's docstring)."""
    report = Report(prospects_before=len(before))
    rows = Prospect.objects.order_by("pk").values_list(
        "pk",
        *TEXT_FIELDS,
        "version",
        "company_id",
        "company__name",
        "company__phone",
        "company__address",
        "contact_id",
        "contact__name",
        "contact__email",
        "contact__phone",
        "contact__company_id",
    )
    company_keys: dict[tuple, set[int]] = {}
    contact_keys: dict[tuple, set[int]] = {}
    seen: set[int] = set()
    for pk, *values in rows.iterator(chunk_size=5000):
        seen.add(pk)
        own, version = tuple(values[:5]), values[5]
        company_id, c_name, c_phone, c_address = values[6:10]
        contact_id, p_name, p_email, p_phone, p_company = values[10:15]
        name, person, phone, email, address = own
        was = before.get(pk)
        if was is None:
            report.problem(f"prospect {pk}: not there before the conversion")
            continue
        report.values_checked += len(own)
        if (*own, version) != was:
            report.problem(f"prospect {pk}: its own text or version changed: {was!r} -> {(*own, version)!r}")
        if company_id is None:
            report.problem(f"prospect {pk}: no company")
            continue
        if (c_name, c_phone, c_address) != (name, phone, address):
            report.problem(f"prospect {pk}: company {company_id} holds {(c_name, c_phone, c_address)!r}")
        company_keys.setdefault((name, phone, address), set()).add(company_id)
        if not person:
            if contact_id is not None:
                report.problem(f"prospect {pk}: a contact {contact_id} without a contact person")
            continue
        if contact_id is None:
            report.problem(f"prospect {pk}: contact person {person!r} has no contact")
            continue
        if (p_name, p_email, p_phone, p_company) != (person, email, phone, company_id):
            report.problem(
                f"prospect {pk}: contact {contact_id} holds {(p_name, p_email, p_phone, p_company)!r}"
            )
        contact_keys.setdefault((person, email, phone, company_id), set()).add(contact_id)
    report.prospects_after = len(seen)
    for pk in sorted(set(before) - seen)[:MAX_PROBLEMS]:
        report.problem(f"prospect {pk}: gone after the conversion")
    report.expected_companies, report.expected_contacts = len(company_keys), len(contact_keys)
    for key, ids in [*company_keys.items(), *contact_keys.items()]:
        if len(ids) > 1:
            report.problem(f"{key!r}: split over {sorted(ids)} (exact duplicates are one record)")
    _check_records(report)
    return report


def _check_records(report: Report) -> None:
    report.companies = Company.objects.count()
    report.contacts = Contact.objects.count()
    if report.companies != report.expected_companies:
        report.problem(f"{report.companies} companies for {report.expected_companies} distinct texts")
    if report.contacts != report.expected_contacts:
        report.problem(f"{report.contacts} contacts for {report.expected_contacts} distinct texts")
    for pk, name, furigana, phone, n, f, p in Company.objects.values_list(
        "pk", "name", "furigana", "phone", "name_norm", "furigana_norm", "phone_norm"
    ).iterator(chunk_size=5000):
        if (n, f, p) != (normalize_name(name), normalize_kana(furigana), normalize_phone(phone)):
            report.problem(f"company {pk}: normalised columns {(n, f, p)!r} are not {name!r}'s")
    for pk, name, phone, email, n, p, e in Contact.objects.values_list(
        "pk", "name", "phone", "email", "name_norm", "phone_norm", "email_norm"
    ).iterator(chunk_size=5000):
        if (n, p, e) != (normalize_name(name), normalize_phone(phone), normalize_email(email)):
            report.problem(f"contact {pk}: normalised columns {(n, p, e)!r} are not {name!r}'s")

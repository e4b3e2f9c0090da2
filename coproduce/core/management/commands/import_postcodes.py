from django.core.management.base import BaseCommand, CommandError

from coproduce.core.services import PostcodeImportError, postcodes_import


class Command(BaseCommand):
    help = (
        "Import postcode → ward rows from a CSV in the ONS Postcode Directory layout "
        "(columns pcds or pcd, osward or wdYYcd, doterm). Usage: import_postcodes FILE"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file in the ONSPD layout")
        parser.add_argument(
            "--skip-unknown-wards",
            action="store_true",
            help="skip rows for wards outside our places instead of failing",
        )

    def handle(self, *args, file, skip_unknown_wards, **options):
        try:
            result = postcodes_import(path=file, skip_unknown_wards=skip_unknown_wards)
        except PostcodeImportError as error:
            raise CommandError(f"{error}\nNothing was imported.") from error
        self.stdout.write(
            f"Imported {result.imported} postcodes "
            f"({result.terminated_skipped} terminated and {result.outside_area_skipped} outside our wards skipped)."
        )

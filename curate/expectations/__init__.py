"""Great Expectations: the checks as a GX 1.x suite, and a validation engine that runs it.

>>> from curate.expectations import expectation_suite
>>> suite = expectation_suite("sft")
>>> suite["expectations"][0]["type"], suite["expectations"][0]["meta"]["curate_reason"]
('expect_column_values_to_not_be_null', 'bad_field')
"""

from curate.expectations.suite import (check_frame, derived_columns, expectation_suite,
                                       expectations_of)

__all__ = ["check_frame", "derived_columns", "expectation_suite", "expectations_of"]

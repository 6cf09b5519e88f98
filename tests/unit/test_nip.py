import pytest

from lms.users.nip import nip_problem


@pytest.mark.parametrize("nip", ["198503122010011001", "199012312015022003"])
def test_valid_nips(app, nip):
    with app.test_request_context():
        assert nip_problem(nip) is None


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("19850312201001100", "18"),  # 17 digits
        ("19850312201001100a", "18"),
        ("１９８５０３１２２０１００１１００１", "18"),  # full-width digits
        ("198502302010011001", "birth"),  # 30 February
        ("198503122010131001", "appointment"),  # month 13
        ("198503121980011001", "after"),  # appointed before birth
        ("198503122010013001", "15th"),
    ],
)
def test_invalid_nips_say_why(app, nip, fragment):
    with app.test_request_context(headers={"Cookie": "lms_lang=en"}):
        problem = nip_problem(nip)
    assert problem is not None and fragment in problem

"""The weakenings of issue 18, written out: each must fail the tests named with it.

`old` must occur exactly once in `path`; it is replaced by `new` for the run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    id: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


AN = ("tests/web/test_rules_analysis.py", "tests/unit/test_quiz_rules.py")
QT = ("tests/unit/test_rules_question_types.py", "tests/unit/test_question_types.py")

LISTED: list[Mutant] = [
    # --- question types
    Mutant(
        "tf-right",
        "true/false: any 'true' is right",
        "quizzes/types/true_false.py",
        "1.0 if response is right else 0.0",
        "1.0 if response else 0.0",
        QT,
    ),
    Mutant(
        "tf-feedback",
        "true/false: the feedback of the other branch",
        "quizzes/types/true_false.py",
        '"feedback_true" if response else "feedback_false"',
        '"feedback_false" if response else "feedback_true"',
        QT,
    ),
    Mutant(
        "mr-penalty-default",
        "multiple response: penalty on when the setting is absent",
        "quizzes/types/multiple_response.py",
        'config.get("penalty") is True',
        'config.get("penalty", True) is True',
        QT,
    ),
    Mutant(
        "mr-bound",
        "multiple response: ticked-index bound off by one",
        "quizzes/types/multiple_response.py",
        "0 <= i < count",
        "0 <= i <= count",
        QT,
    ),
    Mutant(
        "mr-bound-low",
        "multiple response: index 0 refused",
        "quizzes/types/multiple_response.py",
        "0 <= i < count",
        "0 < i < count",
        QT,
    ),
    Mutant(
        "sa-last-equal",
        "short answer: the last of equal fractions wins",
        "quizzes/types/short_answer.py",
        'fraction > top["fraction"]',
        'fraction >= top["fraction"]',
        QT,
    ),
    Mutant(
        "sa-star-one",
        "short answer: * needs at least one character",
        "quizzes/types/_common.py",
        'pieces.append(".*")',
        'pieces.append(".+")',
        QT,
    ),
    Mutant(
        "sa-nfc",
        "short answer: no Unicode NFC normalisation",
        "quizzes/types/_common.py",
        'return " ".join(unicodedata.normalize("NFC", text).split())',
        'return " ".join(text.split())',
        QT,
    ),
    Mutant(
        "match-negative",
        "matching: a negative index accepted",
        "quizzes/types/matching.py",
        "and 0 <= chosen < len(every)",
        "and chosen < len(every)",
        QT,
    ),
    Mutant(
        "order-bool",
        "ordering: a bool accepted as an index",
        "quizzes/types/ordering.py",
        "if is_int(item) and item == position",
        "if isinstance(item, int) and item == position",
        QT,
    ),
    # --- results and item analysis
    Mutant(
        "an-first-last",
        "first/last swapped",
        "quizzes/analysis.py",
        '{"highest": highest, "average": average, "first": first, "last": last}',
        '{"highest": highest, "average": average, "first": last, "last": first}',
        AN,
    ),
    Mutant(
        "an-average-highest",
        "average reports the highest",
        "quizzes/analysis.py",
        '"average": average,',
        '"average": highest,',
        AN,
    ),
    Mutant(
        "an-unsubmitted",
        "unsubmitted attempts counted",
        "quizzes/analysis.py",
        "        QuizAttempt.status == AttemptStatus.SUBMITTED.value,\n",
        "",
        AN,
    ),
    Mutant(
        "an-awaiting",
        "attempts awaiting essay grading counted",
        "quizzes/analysis.py",
        "        QuizAttempt.score.is_not(None),\n",
        "",
        AN,
    ),
    Mutant(
        "an-gain-everyone",
        "cohort gain from everyone's pre-test mean",
        "quizzes/analysis.py",
        "pre = sum(self.pre[e] for e in both) / len(both)",
        "pre = sum(self.pre.values()) / len(self.pre)",
        AN,
    ),
    Mutant(
        "an-last-pre",
        "the last pre-test used instead of the first",
        "quizzes/analysis.py",
        'if kind == "pre" and row.pre_activity is None:',
        'if kind == "pre":',
        AN,
    ),
    Mutant(
        "an-median",
        "median off by one",
        "quizzes/analysis.py",
        ".offset((n - 1) // 2)",
        ".offset(n // 2)",
        AN,
    ),
    Mutant(
        "an-alpha-k",
        "Cronbach's alpha without k/(k-1)",
        "quizzes/analysis.py",
        "alpha = (k / (k - 1)) * (1 - sum(variances) / total_var)",
        "alpha = 1 - sum(variances) / total_var",
        AN,
    ),
    Mutant(
        "an-population",
        "population instead of sample variance",
        "quizzes/analysis.py",
        "return max(0.0, (squares - total * total / n) / (n - 1))",
        "return max(0.0, (squares - total * total / n) / n)",
        AN,
    ),
    Mutant(
        "an-sd-population",
        "population SD",
        "quizzes/analysis.py",
        "* n / (n - 1)))",
        "))",
        AN,
    ),
    Mutant(
        "an-tf-swap",
        "true/false pick counts swapped",
        "quizzes/analysis.py",
        'return [("true", counts[True]), ("false", counts[False])]',
        'return [("true", counts[False]), ("false", counts[True])]',
        AN,
    ),
    Mutant(
        "an-discrimination",
        "discrimination sign flipped",
        "quizzes/analysis.py",
        "num = count * float(sxy) - float(sx) * float(sy)",
        "num = float(sx) * float(sy) - count * float(sxy)",
        AN,
    ),
]

"""The quiz engine: question-type plugins, the quiz activity type, attempts and grading."""

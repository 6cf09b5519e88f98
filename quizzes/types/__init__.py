"""Built-in question types, one module each, registered through `lms.question_types`.

Configuration of each type (the keys of a question besides key, type, name, text,
points, tags, feedback) and its canonical response:

single_choice
    options = [{text, fraction, feedback?}]: 2+ options; exactly the best one has
    fraction 1.0, others 0.0 to <1.0 (partial credit, Moodle-style). shuffle = true.
    Response: int option index.
multiple_response
    options = [{text, correct: bool, feedback?}]: 2+ options, at least one correct.
    penalty = false: when true each wrong pick takes away 1/(number correct).
    shuffle = true. Grade: (right picks)/(number correct) − penalty part, never below 0.
    Response: sorted list of option indices.
true_false
    answer = true|false, feedback_true?, feedback_false?. Response: bool.
short_answer
    answers = [{text, fraction, feedback?}]: 1+ with one at fraction 1.0; `*` in text is a
    wildcard; comparison normalises case (unless case_sensitive = true) and whitespace.
    Response: str.
numeric
    answers = [{value, tolerance = 0, fraction, feedback?}]: 1+ with one at 1.0. Accepts
    "3,5" and "3.5". Response: str as typed.
matching
    pairs = [{prompt, answer}]: 2+; distractors = [str] (extra wrong answers).
    shuffle = true. Grade: share of prompts matched right. Response: {prompt index (str):
    answer index into pairs' answers followed by distractors}.
ordering
    items = [str] in the right order, 2+. Grade: share of items in their right place.
    Response: list of item indices in the order given.
essay
    min_words = 0, rubric = [] (optional list of {criterion, points}). manual = True:
    a mentor grades it. Response: str.
description
    no configuration; scored = False; nothing to answer. Response: None.
"""

"""The school year and the review day: a Circle becomes the year's events, each with
its people and a stable UID, and each review its day programme."""

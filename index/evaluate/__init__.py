"""`whosaid eval`: the scores of the shared gold format. Never imported by the service.

gold (file formats), spans (matching quotes), scores (the numbers), evaluate (the command).
"""

"""What crosses the wire: awsJson1.1, botocore's shapes, and validation compiled from botocore's model."""

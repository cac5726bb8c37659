// lesson 03's exercises: in progress
export {};

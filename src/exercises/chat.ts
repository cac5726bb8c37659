// lesson 11's exercises: in progress
export {};
